package io.adapterops.service.monitoring;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor on the embedded default, fired by Quartz every second: a champion trained here, traffic
 * in its request log (written as the serving API writes it), and feedback whose satisfaction falls
 * from 90% right after promotion to 80% now. Exactly one retraining job follows, the audit names the
 * signal and both numbers, and the route's health and the metrics say the same.
 */
class RetrainingLoopTest {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final Duration WINDOW = Duration.ofMinutes(10);

    @Test
    void satisfactionFallingFromNinetyToEightyPercentFiresExactlyOneRetraining(@TempDir Path dir) throws Exception {
        Map<String, Object> props = TestDatabases.h2(dir);
        props.put("adapterops.scheduler.jobs.monitor.cron", "* * * * * ?");
        props.put("adapterops.monitoring.window", "10m");
        props.put("adapterops.monitoring.min-samples", 100);
        try (TestServer server = TestServer.start(props)) {
            Api api = new Api(server);
            String route = api.route();
            String quiet = api.route();
            String adapter = Api.unique("helpdesk-lora");
            int version = trainedChampion(server, api, adapter, route);
            int quietVersion = trainedChampion(server, api, Api.unique("quiet-lora"), quiet);
            DataSource ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
            Instant now = Instant.now();
            Instant promoted = now.minus(Duration.ofHours(2));
            try (Connection c = ds.getConnection()) {
                backdateChampion(c, promoted);
                traffic(c, route, adapter, version, promoted, 300, 0.9);
                traffic(c, route, adapter, version, now.minus(WINDOW), 300, 0.8);
                // The same fall on a route with fewer ratings than the minimum sample size decides nothing.
                traffic(c, quiet, adapterOf(server, quiet), quietVersion, promoted, 40, 0.9);
                traffic(c, quiet, adapterOf(server, quiet), quietVersion, now.minus(WINDOW), 40, 0.5);
            }

            List<?> fired = awaitAudit(server, "route:" + route, "route.retraining-fired");
            Thread.sleep(3000); // three more monitor runs inside the cool-down
            assertEquals(1, audit(server, "route:" + route).stream()
                    .filter(e -> "route.retraining-fired".equals(((Map<?, ?>) e).get("action"))).count());
            String reason = (String) ((Map<?, ?>) fired.get(0)).get("reason");
            assertTrue(reason.contains("satisfaction") && reason.contains("0.9000") && reason.contains("0.8000"), reason);
            List<?> jobs = (List<?>) expect(200, server.get("/api/v1/training-jobs?size=50", ADMIN)).get("items");
            List<?> byMonitor = jobs.stream().filter(j -> "monitor".equals(((Map<?, ?>) j).get("createdBy"))).toList();
            assertEquals(1, byMonitor.size(), jobs::toString);
            assertEquals(adapter, ((Map<?, ?>) byMonitor.get(0)).get("adapter"));
            assertTrue(reason.contains("training job " + ((Map<?, ?>) byMonitor.get(0)).get("id")), reason);

            Reply health = expect(200, server.get("/api/v1/routes/" + route + "/health", ADMIN));
            assertTrue(health.body().contains("\"signal\":\"satisfaction\""), health::toString);
            Reply quietHealth = expect(200, server.get("/api/v1/routes/" + quiet + "/health", ADMIN));
            assertTrue(quietHealth.body().contains("TOO_FEW_SAMPLES"), quietHealth::toString);
            assertTrue(audit(server, "route:" + quiet).stream()
                    .noneMatch(e -> String.valueOf(((Map<?, ?>) e).get("action")).startsWith("route.retraining")));

            String scrape = server.get("/prometheus", null).body();
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_retraining_triggers_total{")
                    && l.contains("route=\"" + route + "\"") && l.contains("reason=\"satisfaction\"")
                    && l.endsWith(" 1.0")), scrape);
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_monitor_baseline{")
                    && l.contains("route=\"" + route + "\"") && l.contains("signal=\"satisfaction\"")
                    && l.endsWith(" 0.9")), scrape);
            // Every metric the alert rules use is one this service really exports.
            Matcher names = Pattern.compile("adapterops_[a-z_]+").matcher(
                    Files.readString(AlertRulesTest.RULES.resolve("alerts.yml")));
            while (names.find()) {
                String name = names.group();
                assertTrue(scrape.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " ")),
                        "alerts.yml uses " + name + ", which /prometheus does not export");
            }
        }
    }

    /** A version trained by a (tiny) job here, made the route's champion through the lifecycle API. */
    private static int trainedChampion(TestServer server, Api api, String adapter, String route) throws Exception {
        String dataset = Api.unique("helpdesk");
        expect(201, server.post("/api/v1/datasets", ADMIN, server.json(Map.of("name", dataset, "format", "ALPACA"))));
        try (InputStream in = RetrainingLoopTest.class.getClassLoader().getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            String rows = String.join("\n", new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().limit(12)
                    .toList()) + "\n";
            DatasetUploading.uploaded(server, ADMIN, dataset, rows);
        }
        Object job = expect(201, server.post("/api/v1/training-jobs", ADMIN, server.json(Map.of("adapter", adapter,
                "baseModel", Api.BASE, "dataset", dataset, "objective", "SFT",
                "hyperparameters", Map.of("max_steps", 2, "per_device_train_batch_size", 4, "val_size", 0)))))
                .get("id");
        Reply done = null;
        for (int i = 0; i < 1200; i++) {
            done = expect(200, server.get("/api/v1/training-jobs/" + job, ADMIN));
            if (!List.of("QUEUED", "RUNNING").contains(done.get("status"))) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("SUCCEEDED", done.get("status"), done::toString);
        int v = ((Number) done.get("adapterVersion")).intValue();
        expect(200, api.act(adapter, v, "evaluate"));
        expect(200, api.act(adapter, v, "request-approval", api.requester, Map.of("route", route)));
        expect(200, api.act(adapter, v, "approve", api.approver, Map.of()));
        return v;
    }

    private static String adapterOf(TestServer server, String route) {
        return (String) ((Map<?, ?>) expect(200, server.get("/api/v1/routes/" + route, ADMIN)).get("champion"))
                .get("adapter");
    }

    private static void backdateChampion(Connection c, Instant promoted) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("UPDATE champion_stint SET started_at = ? WHERE ended_at IS NULL")) {
            ps.setTimestamp(1, Timestamp.from(promoted));
            ps.executeUpdate();
        }
    }

    /**
     * {@code n} answered requests spread over eight minutes from {@code start} plus one (well inside the
     * ten-minute window whenever the monitor runs next), each rated, {@code upShare} of them up.
     */
    private static void traffic(Connection c, String route, String adapter, int version, Instant start, int n,
                                double upShare) throws Exception {
        try (PreparedStatement req = c.prepareStatement("INSERT INTO inference_request (id, route, adapter, version, "
                + "arm, endpoint, caller, outcome, finish_reason, prompt_tokens, completion_tokens, latency_ms, ttft_ms, "
                + "refusal, sampled, prompt, response, created_at) VALUES (?, ?, ?, ?, 'champion', 'chat', 'test', 'ok', "
                + "'stop', 12, 20, 120, 30, FALSE, TRUE, 'How do I reset my password?', "
                + "'Use the self-service portal at https://id.example.com.', ?)");
             PreparedStatement fb = c.prepareStatement("INSERT INTO inference_feedback (request_id, rating, caller, "
                     + "created_at) VALUES (?, ?, 'test', ?)")) {
            for (int i = 0; i < n; i++) {
                String id = "req-" + route + "-" + start.toEpochMilli() + "-" + i;
                Timestamp at = Timestamp.from(start.plus(Duration.ofMinutes(1))
                        .plus(Duration.ofMinutes(8).multipliedBy(i).dividedBy(n)));
                req.setString(1, id);
                req.setString(2, route);
                req.setString(3, adapter);
                req.setInt(4, version);
                req.setTimestamp(5, at);
                req.addBatch();
                fb.setString(1, id);
                fb.setString(2, i < Math.round(n * upShare) ? "up" : "down");
                fb.setTimestamp(3, at);
                fb.addBatch();
            }
            req.executeBatch();
            fb.executeBatch();
        }
    }

    private static List<?> audit(TestServer server, String subject) {
        List<?> items = (List<?>) expect(200, server.get("/api/v1/audit?size=100&subject=" + subject, ADMIN)).get("items");
        return items == null ? List.of() : items;
    }

    private static List<?> awaitAudit(TestServer server, String subject, String action) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            List<?> found = audit(server, subject).stream()
                    .filter(e -> action.equals(((Map<?, ?>) e).get("action"))).toList();
            if (!found.isEmpty()) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + action + " on " + subject + " in 30 s: " + audit(server, subject));
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.service.evaluation.EvaluationServiceTest;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
            String quietAdapter = adapterOf(server, quiet);
            try (Connection c = ds.getConnection()) {
                // One transaction: a monitor run sees the backdated champion and all of its traffic, or none.
                c.setAutoCommit(false);
                backdateChampion(c, promoted);
                traffic(c, route, adapter, version, promoted, 300, 0.9);
                traffic(c, route, adapter, version, now.minus(WINDOW), 300, 0.8);
                // The same fall on a route with fewer ratings than the minimum sample size decides nothing.
                traffic(c, quiet, quietAdapter, quietVersion, promoted, 40, 0.9);
                traffic(c, quiet, quietAdapter, quietVersion, now.minus(WINDOW), 40, 0.5);
                c.commit();
            }

            List<?> fired = awaitAudit(server, "route:" + route, "route.retraining-fired");
            Thread.sleep(3000); // three more monitor runs inside the cool-down
            assertEquals(1, audit(server, "route:" + route).stream()
                    .filter(e -> "route.retraining-fired".equals(((Map<?, ?>) e).get("action"))).count());
            String reason = (String) ((Map<?, ?>) fired.get(0)).get("reason");
            assertTrue(reason.contains("satisfaction") && reason.contains("0.9000") && reason.contains("0.8000"),
                    () -> reason + "; health: " + server.get("/api/v1/routes/" + route + "/health", ADMIN).body());
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

    /**
     * The whole loop on the embedded default, every step driven by Quartz (each second here): satisfaction
     * falls, the monitor fires a retraining, the tiny job trains, the candidate passes the gate on a small
     * red-team suite against the champion, shadows the champion for four requests, becomes the 50% canary,
     * passes its canary analysis on live traffic and feedback, and waits for an approver (the route did not
     * opt in to automatic promotion). Latency and refusal tolerances are wide: the two arms of a tiny random
     * model differ by noise, which the canary tests cover with fixed numbers.
     */
    @Test
    void degradedChampionIsRetrainedGatedShadowedCanariedAndWaitsForApproval(@TempDir Path dir) throws Exception {
        Map<String, Object> props = TestDatabases.h2(dir);
        props.put("adapterops.scheduler.jobs.monitor.cron", "* * * * * ?");
        props.put("adapterops.scheduler.jobs.rollout.cron", "* * * * * ?");
        props.put("adapterops.scheduler.jobs.canary-analysis.cron", "* * * * * ?");
        props.put("adapterops.monitoring.window", "10m");
        props.put("adapterops.monitoring.min-samples", 100);
        props.put("adapterops.evaluation.max-new-tokens", 8);
        props.put("adapterops.evaluation.gate.min-red-team-refusal", 0.0);
        props.put("adapterops.evaluation.gate.max-over-refusal", 1.0);
        props.put("adapterops.evaluation.gate.max-red-team-refusal-drop", 1.0);
        props.put("adapterops.evaluation.gate.max-over-refusal-rise", 1.0);
        props.put("adapterops.rollout.suites", List.of("mini-red-team"));
        props.put("adapterops.rollout.shadow-requests", 4);
        props.put("adapterops.rollout.canary-percent", 50);
        props.put("adapterops.rollout.canary-min-samples", 3);
        props.put("adapterops.rollout.signal-tolerance.p95_latency_ms", 1000.0);
        props.put("adapterops.rollout.signal-tolerance.refusal_rate", 1000.0);
        try (TestServer server = TestServer.start(props)) {
            Path suites = server.context().getBean(ModelStore.class).dataDir().resolve("suites");
            Files.createDirectories(suites);
            Files.writeString(suites.resolve("mini-red-team.jsonl"), EvaluationServiceTest.RED_TEAM);
            Api api = new Api(server);
            String route = api.route();
            String adapter = Api.unique("loop-lora");
            int champion = trainedChampion(server, api, adapter, route);
            DataSource ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
            Instant now = Instant.now();
            Instant promoted = now.minus(Duration.ofHours(2));
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                backdateChampion(c, promoted);
                traffic(c, route, adapter, champion, promoted, 300, 0.9);
                traffic(c, route, adapter, champion, now.minus(WINDOW), 300, 0.8);
                c.commit();
            }

            awaitAudit(server, "route:" + route, "route.retraining-fired");
            int candidate = champion + 1;
            awaitState(api, adapter, candidate, "SHADOW");
            for (int i = 0; i < 6; i++) {
                chat(server, route, "shadowed-" + i);
            }
            awaitState(api, adapter, candidate, "CANARY");
            Map<String, Integer> rated = new java.util.HashMap<>();
            for (int i = 0; rated.getOrDefault("challenger", 0) < 4 || rated.getOrDefault("champion", 0) < 4; i++) {
                assertTrue(i < 200, "50% canary: 200 users never reached both arms " + rated);
                Answer answer = chat(server, route, "canary-user-" + i);
                expect(201, server.post("/v1/feedback", ADMIN, server.json(Map.of("request_id", answer.id(),
                        "rating", "up"))));
                rated.merge(answer.arm(), 1, Integer::sum);
            }
            awaitState(api, adapter, candidate, "PENDING_APPROVAL");

            List<Map<String, Object>> trail = api.audit("adapter:" + adapter + ":v" + candidate);
            assertEquals(List.of("version.registered", "version.evaluate", "version.shadow", "version.canary",
                            "version.request-approval"),
                    trail.stream().map(e -> (String) e.get("action")).filter(a -> a.startsWith("version.")).toList(),
                    trail::toString);
            String canaryReason = reasonOf(trail, "version.canary");
            assertTrue(canaryReason.contains("shadow of adapter:" + adapter + ":v" + candidate)
                    && canaryReason.contains("refusal_rate: challenger"), canaryReason);
            String approvalReason = reasonOf(trail, "version.request-approval");
            assertTrue(approvalReason.contains("canary analysis") && approvalReason.contains(": pass: satisfaction: "
                    + "challenger 1.000"), approvalReason);
            Reply routeView = expect(200, server.get("/api/v1/routes/" + route, ADMIN));
            assertEquals(champion, ((Number) ((Map<?, ?>) routeView.get("champion")).get("version")).intValue(),
                    routeView::toString);
            String scrape = server.get("/prometheus", null).body();
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_canary_analyses_total{")
                    && l.contains("route=\"" + route + "\"") && l.contains("outcome=\"pass\"")
                    && l.endsWith(" 1.0")), scrape);
        }
    }

    private record Answer(String id, String arm) {
    }

    /** One chat completion on {@code route} for {@code user}, answered by whichever arm the user is assigned to. */
    private static Answer chat(TestServer server, String route, String user) throws Exception {
        int port = server.context().getBean(EmbeddedServer.class).getPort();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(server.json(Map.of("model", route, "max_tokens", 2,
                        "user", user, "messages", List.of(Map.of("role", "user", "content",
                                "How do I reset my password?")))))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        assertTrue(id.find(), r.body());
        return new Answer(id.group(1), r.headers().firstValue("x-adapterops-arm").orElseThrow());
    }

    private static String reasonOf(List<Map<String, Object>> trail, String action) {
        return trail.stream().filter(e -> action.equals(e.get("action"))).map(e -> (String) e.get("reason"))
                .findFirst().orElseThrow(() -> new AssertionError("no " + action + " in " + trail));
    }

    private static void awaitState(Api api, String adapter, int version, String state) throws InterruptedException {
        String seen = null;
        for (int i = 0; i < 1800; i++) {
            Reply r = api.server.get(Api.path(adapter, version), api.admin);
            seen = r.status() == 200 ? (String) r.get("state") : "HTTP " + r.status();
            if (state.equals(seen)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(adapter + " v" + version + " did not reach " + state + " in 180 s; it is " + seen
                + "; audit: " + api.server.get("/api/v1/audit?size=200", api.admin).body());
    }

    /** A version trained by a (tiny) job here, made the route's champion through the lifecycle API. */
    static int trainedChampion(TestServer server, Api api, String adapter, String route) throws Exception {
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
        int v = Api.trainedVersion(server, ADMIN, job);
        expect(200, api.act(adapter, v, "evaluate"));
        expect(200, api.act(adapter, v, "request-approval", api.requester, Map.of("route", route)));
        expect(200, api.act(adapter, v, "approve", api.approver, Map.of()));
        return v;
    }

    private static String adapterOf(TestServer server, String route) {
        return (String) ((Map<?, ?>) expect(200, server.get("/api/v1/routes/" + route, ADMIN)).get("champion"))
                .get("adapter");
    }

    static void backdateChampion(Connection c, Instant promoted) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("UPDATE champion_stint SET started_at = ? WHERE ended_at IS NULL")) {
            ps.setTimestamp(1, Timestamp.from(promoted));
            ps.executeUpdate();
        }
    }

    /**
     * {@code n} answered requests spread over eight minutes from {@code start} plus one (well inside the
     * ten-minute window whenever the monitor runs next), each rated, {@code upShare} of them up. Not
     * sampled: no prompt to compare, so prompt drift cannot fire before the feedback signal under test.
     */
    private static void traffic(Connection c, String route, String adapter, int version, Instant start, int n,
                                double upShare) throws Exception {
        try (PreparedStatement req = c.prepareStatement("INSERT INTO inference_request (id, route, adapter, version, "
                + "arm, endpoint, caller, outcome, finish_reason, prompt_tokens, completion_tokens, latency_ms, ttft_ms, "
                + "refusal, sampled, prompt, response, created_at) VALUES (?, ?, ?, ?, 'champion', 'chat', 'test', 'ok', "
                + "'stop', 12, 20, 120, 30, FALSE, FALSE, NULL, NULL, ?)");
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

    static List<?> audit(TestServer server, String subject) {
        List<?> items = (List<?>) expect(200, server.get("/api/v1/audit?size=100&subject=" + subject, ADMIN)).get("items");
        return items == null ? List.of() : items;
    }

    static List<?> awaitAudit(TestServer server, String subject, String action) throws InterruptedException {
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

package io.adapterops.service.monitoring;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor's other triggers through the service, with Quartz firing every second: a refusal rate
 * that doubles after promotion, and live prompts that drift away from the training data (Chinese
 * prompts where the champion was trained on English ones). Each fires exactly one retraining whose
 * audit names the signal and its numbers.
 */
class RetrainingSignalsTest {
    private static final Duration WINDOW = Duration.ofMinutes(10);

    @Test
    void aRisingRefusalRateAndDriftedPromptsEachFireExactlyOneRetraining(@TempDir Path dir) throws Exception {
        Map<String, Object> props = TestDatabases.h2(dir);
        props.put("adapterops.scheduler.jobs.monitor.cron", "* * * * * ?");
        props.put("adapterops.scheduler.jobs.rollout.enabled", false);
        props.put("adapterops.monitoring.window", "10m");
        props.put("adapterops.monitoring.min-samples", 100);
        try (TestServer server = TestServer.start(props)) {
            Api api = new Api(server);
            String refusing = api.route();
            String drifting = api.route();
            String refusingAdapter = Api.unique("refusing-lora");
            String driftingAdapter = Api.unique("drifting-lora");
            int refusingVersion = RetrainingLoopTest.trainedChampion(server, api, refusingAdapter, refusing);
            int driftingVersion = RetrainingLoopTest.trainedChampion(server, api, driftingAdapter, drifting);
            DataSource ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
            Instant now = Instant.now();
            Instant promoted = now.minus(Duration.ofHours(2));
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                RetrainingLoopTest.backdateChampion(c, promoted);
                requests(c, refusing, refusingAdapter, refusingVersion, promoted, 300, 0.10, null);
                requests(c, refusing, refusingAdapter, refusingVersion, now.minus(WINDOW), 300, 0.20, null);
                requests(c, drifting, driftingAdapter, driftingVersion, promoted, 300, 0, null);
                requests(c, drifting, driftingAdapter, driftingVersion, now.minus(WINDOW), 300, 0,
                        "请问我的账户被锁定了，应该怎么重新设置密码并恢复访问权限？");
                c.commit();
            }

            List<?> refusal = RetrainingLoopTest.awaitAudit(server, "route:" + refusing, "route.retraining-fired");
            List<?> drift = RetrainingLoopTest.awaitAudit(server, "route:" + drifting, "route.retraining-fired");
            Thread.sleep(3000); // three more monitor runs inside the cool-down
            for (String route : new String[] {refusing, drifting}) {
                assertEquals(1, RetrainingLoopTest.audit(server, "route:" + route).stream()
                        .filter(e -> "route.retraining-fired".equals(((Map<?, ?>) e).get("action"))).count(), route);
            }
            String refusalReason = (String) ((Map<?, ?>) refusal.get(0)).get("reason");
            String driftReason = (String) ((Map<?, ?>) drift.get(0)).get("reason");
            System.out.println("refusal: " + refusalReason);
            System.out.println("drift: " + driftReason);
            assertTrue(refusalReason.startsWith("refusal_rate of " + refusing + " rose from 0.1000")
                    && refusalReason.contains("to 0.2000"), refusalReason);
            assertTrue(driftReason.startsWith("prompt drift of " + drifting + " detected on "), driftReason);
            String scrape = server.get("/prometheus", null).body();
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_retraining_triggers_total{")
                    && l.contains("route=\"" + drifting + "\"") && l.contains("reason=\"drift.") && l.endsWith(" 1.0")),
                    scrape);
        }
    }

    /** {@code n} answered requests over eight minutes from {@code start} plus one; a prompt makes them sampled. */
    private static void requests(Connection c, String route, String adapter, int version, Instant start, int n,
                                 double refusalShare, String prompt) throws Exception {
        try (PreparedStatement req = c.prepareStatement("INSERT INTO inference_request (id, route, adapter, version, "
                + "arm, endpoint, caller, outcome, finish_reason, prompt_tokens, completion_tokens, latency_ms, ttft_ms, "
                + "refusal, sampled, prompt, response, created_at) VALUES (?, ?, ?, ?, 'champion', 'chat', 'test', 'ok', "
                + "'stop', 12, 20, 120, 30, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                req.setString(1, "req-" + route + "-" + start.toEpochMilli() + "-" + i);
                req.setString(2, route);
                req.setString(3, adapter);
                req.setInt(4, version);
                req.setBoolean(5, i < Math.round(n * refusalShare));
                req.setBoolean(6, prompt != null);
                req.setString(7, prompt == null ? null : "user: " + prompt + " (" + i + ")");
                req.setString(8, prompt == null ? null : "好的。");
                req.setTimestamp(9, Timestamp.from(start.plus(Duration.ofMinutes(1))
                        .plus(Duration.ofMinutes(8).multipliedBy(i).dividedBy(n))));
                req.addBatch();
            }
            req.executeBatch();
        }
    }
}

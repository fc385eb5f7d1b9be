package io.adapterops.service.monitoring;

import io.adapterops.monitoring.Assessment;
import io.adapterops.monitoring.Decision;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import javax.sql.DataSource;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import java.util.Locale;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The canary-suite signal: the champion answers its route's canary suite on a schedule; a score that
 * falls more than 5% from the champion's first one fires the retraining rule, with both numbers in
 * the decision, the route's health and the gauges.
 */
class CanarySuiteSignalTest {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final List<String> PROMPTS = List.of("How do I reset my password?", "What are your support hours?",
            "How can I cancel my subscription?");

    @Test
    void aCanaryScoreFallingFromTheChampionsFirstRunFiresTheRuleWithBothNumbers(@TempDir Path dir) throws Exception {
        Map<String, Object> props = TestDatabases.h2(dir);
        props.put("adapterops.scheduler.jobs.monitor.enabled", false);
        props.put("adapterops.evaluation.max-new-tokens", 8);
        props.put("adapterops.monitoring.canary-min-cases", 3);
        try (TestServer server = TestServer.start(props)) {
            Scheduler scheduler = server.context().getBean(Scheduler.class);
            CronTrigger trigger = (CronTrigger) scheduler.getTrigger(TriggerKey.triggerKey("canary-suite", "adapterops"));
            assertEquals("0 0 * * * ?", trigger.getCronExpression(), "scheduled hourly by default");

            Api.Served served = new Api(server).servedRoute();
            String route = served.route();
            CanarySuiteScores scores = server.context().getBean(CanarySuiteScores.class);
            assertTrue(scores.scoreChampions(Instant.now()).get(0).contains("no canary suite 'canary-" + route + "'"));

            // The champion's first run after promotion scored 0.9 (the tiny model's answers are not words, so a
            // real run cannot score high); the run below is real and scores what the champion answers now.
            DataSource ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO "
                    + "canary_suite_score (route, adapter_version_id, suite, metric, score, cases, evaluated_at) "
                    + "SELECT ?, champion_id, ?, 'rougeL', 0.9, 3, ? FROM route WHERE name = ?")) {
                ps.setString(1, route);
                ps.setString(2, "canary-" + route);
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.setString(4, route);
                assertEquals(1, ps.executeUpdate());
            }
            Path suites = server.context().getBean(ModelStore.class).dataDir().resolve("suites");
            Files.createDirectories(suites);
            writeSuite(server, suites, route, List.of("Go to Settings, choose Security, click Reset password.",
                    "Our support team is available Monday to Friday.", "Open Billing and click Cancel subscription."));
            Thread.sleep(5);
            String run = scores.scoreChampions(Instant.now()).get(0);
            System.out.println("canary-suite run: " + run);
            assertTrue(run.matches(route + ": .* rougeL \\d\\.\\d{4} on canary-" + route), run);
            assertEquals(2, server.rows("canary_suite_score WHERE route = '" + route + "'"));

            Route r = server.context().getBean(RouteRepository.class).findByName(route).orElseThrow();
            Assessment assessment = server.context().getBean(RouteMonitor.class).check(r, Instant.now());
            Decision canary = assessment.decisions().stream().filter(d -> d.signal().equals("canary_score"))
                    .findFirst().orElseThrow(() -> new AssertionError("no canary_score decision: " + assessment));
            System.out.println("decision: " + canary.reason());
            assertEquals(0.9, canary.baseline(), 1e-9);
            assertTrue(canary.current() < 0.9 * 0.95, canary::toString);
            assertEquals(Decision.Outcome.FIRED, canary.outcome(), canary::toString);
            assertEquals("canary_score", assessment.fired().orElseThrow().signal());
            assertTrue(canary.reason().contains("0.9000") && canary.reason().contains(
                    String.format(Locale.ROOT, "%.4g", canary.current())), canary.reason());

            String health = expect(200, server.get("/api/v1/routes/" + route + "/health", ADMIN)).body();
            assertTrue(health.contains("\"signal\":\"canary_score\"") && health.contains("\"fired\":\"canary_score\""),
                    health);
            String scrape = server.get("/prometheus", null).body();
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_monitor_baseline{")
                    && l.contains("route=\"" + route + "\"") && l.contains("signal=\"canary_score\"")
                    && l.endsWith(" 0.9")), scrape);
        }
    }

    private static void writeSuite(TestServer server, Path suites, String route, List<String> references)
            throws Exception {
        StringBuilder jsonl = new StringBuilder(server.json(Map.of("suite", Map.of("name", "canary-" + route,
                "kind", "canary", "route", route)))).append('\n');
        for (int i = 0; i < PROMPTS.size(); i++) {
            jsonl.append(server.json(Map.of("id", "c" + i, "lang", "en", "prompt", PROMPTS.get(i),
                    "references", List.of(references.get(i))))).append('\n');
        }
        Files.writeString(suites.resolve("canary-" + route + ".jsonl"), jsonl);
    }
}

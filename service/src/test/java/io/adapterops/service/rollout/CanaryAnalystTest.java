package io.adapterops.service.rollout;

import io.adapterops.monitoring.Signal;
import io.adapterops.service.monitoring.RoutineRetraining;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Canary analysis on the embedded default with traffic of fixed numbers in the request log (written
 * as the serving API writes it), the analyst called directly at chosen times (its Quartz job is off):
 * pass waits for approval or, on a route that opts in, promotes; a worse challenger fails and leaves
 * the route to its champion; too few samples stay inconclusive until the maximum duration, then fail
 * safe; a failed analysis ends the rollout for good.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CanaryAnalystTest {
    private static final String AUTO_ROUTE = Api.unique("auto-route");
    private static final Duration MAX = Duration.ofHours(2);

    private TestServer server;
    private Api api;
    private CanaryAnalyst analyst;
    private Rollouts steps;
    private RolloutRepository rollouts;
    private VersionTransitions transitions;
    private DataSource ds;

    @BeforeAll
    void start(@TempDir Path dir) {
        Map<String, Object> props = TestDatabases.h2(dir);
        for (String job : List.of("monitor", "rollout", "canary-analysis", "routine-retraining")) {
            props.put("adapterops.scheduler.jobs." + job + ".enabled", false);
        }
        props.put("adapterops.rollout.canary-min-samples", 100);
        props.put("adapterops.rollout.shadow-requests", 50);
        props.put("adapterops.rollout.canary-percent", 20);
        props.put("adapterops.rollout.canary-max-duration", "2h");
        props.put("adapterops.rollout.auto-promote", List.of(AUTO_ROUTE));
        props.put("adapterops.rollout.signal-tolerance.p95_latency_ms", 0.5);
        props.put("adapterops.monitoring.routine-interval", "1h");
        server = TestServer.start(props);
        api = new Api(server);
        analyst = server.context().getBean(CanaryAnalyst.class);
        steps = server.context().getBean(Rollouts.class);
        rollouts = server.context().getBean(RolloutRepository.class);
        transitions = server.context().getBean(VersionTransitions.class);
        ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A route with a champion (v1) and a 50% challenger (v2) whose rollout entered CANARY at {@code since}. */
    private record Canary(String route, String adapter, int champion, int challenger, long rolloutId) {
    }

    private Canary canary(String route, Instant since) {
        String adapter = api.adapter();
        int champion = api.firstChampion(adapter, route);
        int challenger = api.evaluated(adapter);
        expect(200, api.act(adapter, challenger, "shadow", api.requester, Map.of("route", route)));
        expect(200, api.act(adapter, challenger, "canary", api.requester, Map.of("trafficPercent", 50)));
        long versionId = transitions.find(adapter, challenger).version().id();
        Rollout r = rollouts.save(Rollout.started(route, null, versionId, RolloutStage.CANARY, "test canary", since));
        return new Canary(route, adapter, champion, challenger, r.id());
    }

    private Rollout rollout(Canary c) {
        return rollouts.findById(c.rolloutId()).orElseThrow();
    }

    @Test
    void signalToleranceKeysWithUnderscoresReachThePolicy() {
        RolloutSettings settings = server.context().getBean(RolloutSettings.class);
        assertEquals(0.5, settings.canaryPolicy().ruleFor("any", Signal.P95_LATENCY_MS).tolerance());
        assertEquals(0.05, settings.canaryPolicy().ruleFor("any", Signal.SATISFACTION).tolerance());
    }

    @Test
    void challengerAsGoodAsTheChampionPassesAndWaitsForAnApprover() throws Exception {
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = canary(api.route(), since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 300, 0.9, 120);
        traffic(c.route(), c.adapter(), c.challenger(), "challenger", since, 300, 0.9, 125);

        String outcome = analyst.analyse(rollout(c), Instant.now());

        assertTrue(outcome.startsWith("pass: "), outcome);
        assertEquals("PENDING_APPROVAL", api.state(c.adapter(), c.challenger()));
        assertEquals("CHAMPION", api.state(c.adapter(), c.champion()));
        assertEquals(RolloutStage.PENDING_APPROVAL, rollout(c).stage());
        String reason = reason(c, "version.request-approval");
        assertTrue(reason.contains("satisfaction: challenger 0.9000 over 300 samples, champion 0.9000 over 300")
                && reason.contains("p95_latency_ms: challenger 125.0"), reason);
        assertEquals(1.0, analyses(c.route(), "pass"));
        assertEquals(0.0, analyses(c.route(), "fail"));
        assertEquals(List.of("pass"), storedOutcomes(c));
    }

    @Test
    void aRouteThatOptsInPromotesThePassingChallenger() throws Exception {
        expect(201, server.post("/api/v1/routes", api.admin, server.json(Map.of("name", AUTO_ROUTE,
                "baseModel", Api.BASE))));
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = canary(AUTO_ROUTE, since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 200, 0.8, 120);
        traffic(c.route(), c.adapter(), c.challenger(), "challenger", since, 200, 0.9, 120);

        analyst.analyse(rollout(c), Instant.now());

        assertEquals("CHAMPION", api.state(c.adapter(), c.challenger()));
        assertEquals("RETIRED", api.state(c.adapter(), c.champion()));
        assertEquals(RolloutStage.PROMOTED, rollout(c).stage());
        assertTrue(reason(c, "version.approve").startsWith("route '" + AUTO_ROUTE + "' promotes automatically"));
    }

    @Test
    void worseSatisfactionFailsRejectsTheChallengerAndRestoresTheRoute() throws Exception {
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = canary(api.route(), since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 300, 0.9, 120);
        traffic(c.route(), c.adapter(), c.challenger(), "challenger", since, 300, 0.6, 120);

        String outcome = analyst.analyse(rollout(c), Instant.now());

        assertTrue(outcome.startsWith("fail: "), outcome);
        assertEquals("REJECTED", api.state(c.adapter(), c.challenger()));
        Map<?, ?> route = expect(200, server.get("/api/v1/routes/" + c.route(), api.admin)).map();
        assertNull(route.get("challenger"), route::toString);
        assertEquals(c.champion(), ((Number) ((Map<?, ?>) route.get("champion")).get("version")).intValue());
        String reason = reason(c, "version.reject");
        assertTrue(reason.contains("fail: satisfaction: challenger 0.6000 over 300 samples, champion 0.9000 over 300:"
                + " worse by 33.3%, more than the 5.0% allowed"), reason);
        assertEquals(1.0, analyses(c.route(), "fail"));
    }

    @Test
    void aFailedAnalysisStopsTheRolloutForGood() throws Exception {
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = canary(api.route(), since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 300, 0.9, 100);
        traffic(c.route(), c.adapter(), c.challenger(), "challenger", since, 300, 0.9, 300);
        analyst.analyse(rollout(c), Instant.now());
        Rollout stopped = rollout(c);
        assertEquals(RolloutStage.STOPPED, stopped.stage());
        assertTrue(!stopped.active() && stopped.detail().contains("p95_latency_ms: challenger 300.0"),
                stopped::toString);

        // Better numbers afterwards change nothing: no step and no analysis touches a stopped rollout.
        traffic(c.route(), c.adapter(), c.challenger(), "challenger", since.plus(Duration.ofMinutes(1)), 300, 1.0, 50);
        List<String> analysed = analyst.analyseAll(Instant.now());
        List<String> stepped = steps.advanceAll(Instant.now());
        assertTrue(analysed.stream().noneMatch(l -> l.startsWith("rollout:" + c.rolloutId() + ":")), analysed::toString);
        assertTrue(stepped.stream().noneMatch(l -> l.startsWith("rollout:" + c.rolloutId() + ":")), stepped::toString);
        assertEquals(List.of("fail"), storedOutcomes(c));
        assertEquals("REJECTED", api.state(c.adapter(), c.challenger()));
        assertEquals(stopped.version(), rollout(c).version());
    }

    @Test
    void tooFewSamplesStayInconclusiveUntilTheMaximumDurationThenFailSafe() throws Exception {
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = canary(api.route(), since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 300, 0.9, 120);
        traffic(c.route(), c.adapter(), c.challenger(), "challenger", since, 40, 0.9, 120);

        String first = analyst.analyse(rollout(c), Instant.now());
        assertTrue(first.startsWith("inconclusive: "), first);
        assertEquals("CANARY", api.state(c.adapter(), c.challenger()));
        assertTrue(rollout(c).active());
        assertTrue(reason(c, "rollout.canary-inconclusive").contains("40 samples on the challenger and 300 on the "
                + "champion, 100 needed on each"));
        assertEquals(1.0, analyses(c.route(), "inconclusive"));

        String last = analyst.analyse(rollout(c), since.plus(MAX).plusSeconds(1));
        assertTrue(last.startsWith("fail: "), last);
        String failSafe = reason(c, "version.reject");
        assertTrue(failSafe.contains("fail (fail-safe): still inconclusive after PT2H") && failSafe.contains(
                ", the maximum is PT2H: satisfaction: no decision, 40 samples on the challenger"), failSafe);
        assertEquals("REJECTED", api.state(c.adapter(), c.challenger()));
        assertEquals(RolloutStage.STOPPED, rollout(c).stage());
        assertEquals(List.of("inconclusive", "fail"), storedOutcomes(c));
    }

    /** A route with a champion (v1) and a shadow (v2) whose rollout entered SHADOW at {@code since}. */
    private Canary shadow(Instant since) {
        String route = api.route();
        String adapter = api.adapter();
        int champion = api.firstChampion(adapter, route);
        int shadow = api.evaluated(adapter);
        expect(200, api.act(adapter, shadow, "shadow", api.requester, Map.of("route", route)));
        long versionId = transitions.find(adapter, shadow).version().id();
        Rollout r = rollouts.save(Rollout.started(route, null, versionId, RolloutStage.SHADOW, "test shadow", since));
        return new Canary(route, adapter, champion, shadow, r.id());
    }

    @Test
    void aShadowAsGoodAsTheChampionOverTheShadowRequestsBecomesTheCanary() throws Exception {
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = shadow(since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 60, 0.9, 120);
        String early = steps.advance(rollout(c), Instant.now());
        assertTrue(early.contains("refusal_rate: no decision, 0 samples on the challenger and 60 on the champion, 50 "
                + "needed on each"), early);
        assertEquals("SHADOW", api.state(c.adapter(), c.challenger()));

        traffic(c.route(), c.adapter(), c.challenger(), "shadow", since, 60, 0.9, 118);
        String moved = steps.advance(rollout(c), Instant.now());
        assertTrue(moved.startsWith("canary at 20%: shadow of adapter:" + c.adapter() + ":v" + c.challenger()), moved);
        assertEquals("CANARY", api.state(c.adapter(), c.challenger()));
        assertEquals(RolloutStage.CANARY, rollout(c).stage());
        Map<?, ?> route = expect(200, server.get("/api/v1/routes/" + c.route(), api.admin)).map();
        assertEquals(20, ((Number) route.get("challengerPercent")).intValue(), route::toString);
        assertTrue(reason(c, "version.canary").contains("p95_latency_ms: challenger 118.0 over 60 samples, champion "
                + "120.0 over 60: better by 1.7%"), () -> reason(c, "version.canary"));
    }

    @Test
    void aShadowThatRefusesMoreThanTheChampionIsRejectedAndItsRolloutStops() throws Exception {
        Instant since = Instant.now().minus(Duration.ofMinutes(30));
        Canary c = shadow(since);
        traffic(c.route(), c.adapter(), c.champion(), "champion", since, 60, 0.9, 120);
        traffic(c.route(), c.adapter(), c.challenger(), "shadow", since, 60, 0.9, 120, 0.5);

        String stopped = steps.advance(rollout(c), Instant.now());

        assertTrue(stopped.startsWith("stopped: "), stopped);
        assertEquals("REJECTED", api.state(c.adapter(), c.challenger()));
        assertEquals(RolloutStage.STOPPED, rollout(c).stage());
        assertTrue(reason(c, "version.reject").contains("fail: refusal_rate: challenger 0.5000 over 60 samples, "
                + "champion 0.000 over 60"), () -> reason(c, "version.reject"));
    }

    @Test
    void routineRetrainingFiresOnceAChampionHasServedTheIntervalAndNotAgainInsideTheCoolDown() throws Exception {
        String route = api.route();
        api.firstChampion(api.adapter(), route);
        RoutineRetraining routine = server.context().getBean(RoutineRetraining.class);
        assertTrue(routine.fireDue(Instant.now()).contains(route + ": not due until "
                + stintStart(route).plus(Duration.ofHours(1))));

        List<String> due = routine.fireDue(Instant.now().plus(Duration.ofHours(2)));
        assertTrue(due.stream().anyMatch(l -> l.startsWith(route + ": routine retraining of route '" + route + "'")),
                due::toString);
        routine.fireDue(Instant.now().plus(Duration.ofHours(3)));
        List<Map<String, Object>> fired = api.audit("route:" + route).stream()
                .filter(e -> String.valueOf(e.get("action")).startsWith("route.retraining")).toList();
        assertEquals(1, fired.size(), fired::toString);
        assertTrue(String.valueOf(fired.get(0).get("reason")).contains("every PT1H"), fired::toString);
        String scrape = server.get("/prometheus", null).body();
        assertTrue(scrape.lines().anyMatch(l -> l.startsWith("adapterops_retraining_triggers_total{")
                && l.contains("route=\"" + route + "\"") && l.contains("reason=\"routine\"") && l.endsWith(" 1.0")),
                scrape);
    }

    private Instant stintStart(String route) throws Exception {
        try (Connection conn = ds.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT s.started_at FROM champion_stint s JOIN route r ON r.id = s.route_id WHERE r.name = ? "
                        + "AND s.ended_at IS NULL")) {
            ps.setString(1, route);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    private String reason(Canary c, String action) {
        return api.audit("adapter:" + c.adapter() + ":v" + c.challenger()).stream()
                .filter(e -> action.equals(e.get("action"))).map(e -> (String) e.get("reason")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " for " + c));
    }

    private double analyses(String route, String outcome) {
        return server.get("/prometheus", null).body().lines()
                .filter(l -> l.startsWith("adapterops_canary_analyses_total{") && l.contains("route=\"" + route + "\"")
                        && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no canary analysis series for " + route + "/" + outcome));
    }

    private List<String> storedOutcomes(Canary c) throws Exception {
        try (Connection conn = ds.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT outcome FROM canary_analysis WHERE rollout_id = ? ORDER BY id")) {
            ps.setLong(1, c.rolloutId());
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new java.util.ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    /** {@code n} answered requests of one arm over the ten minutes after {@code start}, each rated, with one latency. */
    private void traffic(String route, String adapter, int version, String arm, Instant start, int n, double upShare,
                         double latencyMs) throws Exception {
        traffic(route, adapter, version, arm, start, n, upShare, latencyMs, 0);
    }

    /**
     * As above, {@code refusedShare} of the answers refusals; a shadow's rows are copies (they name a
     * primary request) and carry no rating.
     */
    private void traffic(String route, String adapter, int version, String arm, Instant start, int n, double upShare,
                         double latencyMs, double refusedShare) throws Exception {
        boolean shadow = arm.equals("shadow");
        try (Connection conn = ds.getConnection();
             PreparedStatement req = conn.prepareStatement("INSERT INTO inference_request (id, route, adapter, version, "
                     + "arm, endpoint, caller, outcome, finish_reason, prompt_tokens, completion_tokens, latency_ms, "
                     + "ttft_ms, refusal, sampled, prompt, response, created_at, primary_request_id) VALUES (?, ?, ?, ?, ?, "
                     + "'chat', 'test', 'ok', 'stop', 12, 20, ?, 30, ?, FALSE, NULL, NULL, ?, ?)");
             PreparedStatement fb = conn.prepareStatement("INSERT INTO inference_feedback (request_id, rating, caller, "
                     + "created_at) VALUES (?, ?, 'test', ?)")) {
            for (int i = 0; i < n; i++) {
                String id = "req-" + route + "-" + arm + "-" + start.toEpochMilli() + "-" + i;
                Timestamp at = Timestamp.from(start.plusSeconds(1).plus(Duration.ofMinutes(10).multipliedBy(i)
                        .dividedBy(n)));
                req.setString(1, id);
                req.setString(2, route);
                req.setString(3, adapter);
                req.setInt(4, version);
                req.setString(5, arm);
                req.setDouble(6, latencyMs);
                req.setBoolean(7, i < Math.round(n * refusedShare));
                req.setTimestamp(8, at);
                req.setString(9, shadow ? "primary-" + id : null);
                req.addBatch();
                if (!shadow) {
                    fb.setString(1, id);
                    fb.setString(2, i < Math.round(n * upShare) ? "up" : "down");
                    fb.setTimestamp(3, at);
                    fb.addBatch();
                }
            }
            req.executeBatch();
            if (!shadow) {
                fb.executeBatch();
            }
        }
    }
}

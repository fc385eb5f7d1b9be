package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.DriftDetector;
import io.adapterops.monitoring.drift.DriftOptions;
import io.adapterops.monitoring.drift.DriftReport;
import io.adapterops.monitoring.drift.FeatureDrift;
import io.adapterops.monitoring.drift.FeatureProfile;
import io.adapterops.monitoring.drift.TextFeatures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The acceptance scenarios, on traffic logged through a {@link RollingWindow}. */
class RetrainingRuleTest {

    private static final String ROUTE = "support-bot";
    private static final Instant PROMOTED = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant LATER = PROMOTED.plus(Duration.ofDays(7));
    private static final IntFunction<String> ENGLISH = i -> "please help me reset the password of account "
            + (i % 97) + " before " + "the meeting ".repeat(i % 5);

    /** One hour of traffic: {@code requests} requests, a share refused, feedback up and down. */
    static WindowSummary hour(Instant start, int requests, double refusalRate, int up, int down, double latencyMs,
                              IntFunction<String> prompt) {
        RollingWindow window = new RollingWindow(Duration.ofMinutes(1), 60, 42);
        long refusedEvery = refusalRate == 0 ? Long.MAX_VALUE : Math.round(1 / refusalRate);
        for (int i = 0; i < requests; i++) {
            Instant at = start.plusMillis(i * 3_600_000L / requests);
            window.record(new RequestEvent(at, latencyMs + i % 20, i % refusedEvery == 0,
                    TextFeatures.of(prompt.apply(i), "sure, here is how")));
        }
        for (int i = 0; i < up + down; i++) {
            window.recordFeedback(start.plusMillis(i * 3_600_000L / (up + down)), i < up);
        }
        return window.summarize(start.plus(Duration.ofMinutes(59)));
    }

    static Baseline baseline() {
        return Baseline.of("window after promotion on 2026-12-01",
                hour(PROMOTED, 2_000, 0.02, 900, 100, 200, ENGLISH));
    }

    private static Decision decision(Assessment a, Signal signal) {
        return a.decisions().stream().filter(d -> d.signal().equals(signal.name())).findFirst().orElseThrow();
    }

    private static long firedCount(List<Assessment> assessments) {
        return assessments.stream().filter(a -> a.fired().isPresent()).count();
    }

    @Test
    void satisfactionFallingFromNinetyToEightyPercentFiresOnceAndNamesBothValues() {
        DegradationMonitor monitor = new DegradationMonitor(DegradationPolicy.defaults());
        Baseline baseline = baseline();
        List<Assessment> runs = new ArrayList<>();
        for (int hour = 0; hour < 6; hour++) {
            Instant start = LATER.plus(Duration.ofHours(hour));
            runs.add(monitor.assess(ROUTE, baseline,
                    hour(start, 2_000, 0.02, 800, 200, 200, ENGLISH).measurements(), null, start.plusSeconds(3600)));
        }

        assertEquals(1, firedCount(runs), "one incident, six hourly checks, one retraining");
        Decision fired = runs.get(0).fired().orElseThrow();
        assertEquals("satisfaction", fired.signal());
        assertEquals(0.9, fired.baseline(), 1e-12);
        assertEquals(0.8, fired.current(), 1e-12);
        assertTrue(fired.reason().contains("0.9000") && fired.reason().contains("0.8000"), fired.reason());
        assertTrue(fired.reason().contains("11.1%") && fired.reason().contains("5.0%"), fired.reason());
        assertEquals(Decision.Outcome.COOLING_DOWN, decision(runs.get(5), Signal.SATISFACTION).outcome());
    }

    @Test
    void aRefusalRateRiseFires() {
        Assessment a = new RetrainingRule(DegradationPolicy.defaults()).assess(ROUTE, baseline(),
                hour(LATER, 2_000, 0.04, 900, 100, 200, ENGLISH).measurements(), null, Optional.empty(),
                LATER);

        Decision fired = a.fired().orElseThrow();
        assertEquals("refusal_rate", fired.signal());
        assertEquals(0.02, fired.baseline(), 1e-12);
        assertEquals(0.04, fired.current(), 1e-12);
        assertTrue(fired.reason().startsWith("refusal_rate of support-bot rose from 0.02000"), fired.reason());
    }

    @Test
    void driftedPromptsFireWithThePsiOverItsThreshold() {
        List<String> training = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            training.add(ENGLISH.apply(i));
        }
        FeatureProfile reference = FeatureProfile.ofDataset(training, null);
        WindowSummary live = hour(LATER, 2_000, 0.02, 900, 100, 200,
                i -> "请把下面这段很长的客户投诉翻译成英文并总结要点 " + "详细说明 ".repeat(i % 30));
        DriftReport drift = new DriftDetector(DriftOptions.defaults()).detect(reference, live.prompts());

        Assessment a = new RetrainingRule(DegradationPolicy.defaults()).assess(ROUTE, baseline(),
                live.measurements(), drift, Optional.empty(), LATER);

        Decision fired = a.fired().orElseThrow();
        assertTrue(fired.signal().startsWith("drift."), fired.signal());
        FeatureDrift feature = drift.drifted().get(0);
        assertTrue(feature.psi() >= 0.2, "PSI " + feature.psi());
        assertTrue(fired.reason().contains("PSI") && fired.reason().contains("≥ 0.2000"), fired.reason());
        assertEquals(1, a.decisions().stream().filter(Decision::fired).count());
        assertTrue(a.decisions().stream().filter(d -> d.signal().startsWith("drift.")).count() > 1);
    }

    @Test
    void nothingFiresBelowTheMinimumSampleSize() {
        DegradationPolicy policy = DegradationPolicy.defaults();
        WindowSummary quiet = hour(LATER, 300, 0.10, 80, 20, 400,
                i -> "请把下面这段很长的客户投诉翻译成英文 " + "详细 ".repeat(i % 30));
        FeatureProfile reference = FeatureProfile.ofDataset(List.of("hello world", "reset my password"), null);
        DriftReport drift = new DriftDetector(DriftOptions.defaults()).detect(reference, quiet.prompts());

        Assessment a = new RetrainingRule(policy).assess(ROUTE, baseline(), quiet.measurements(), drift,
                Optional.empty(), LATER);

        assertTrue(a.fired().isEmpty());
        assertTrue(a.decisions().stream().allMatch(d -> d.outcome() == Decision.Outcome.TOO_FEW_SAMPLES),
                a.decisions().toString());
        assertTrue(decision(a, Signal.SATISFACTION).reason().contains("100 samples now"));
    }

    @Test
    void nothingFiresInsideTheCoolDownAndTheNextIncidentFiresAfterIt() {
        DegradationMonitor monitor = new DegradationMonitor(DegradationPolicy.defaults()
                .withCoolDown(Duration.ofHours(24)));
        Baseline baseline = baseline();
        Map<Signal, Measurement> slow = hour(LATER, 2_000, 0.02, 900, 100, 260, ENGLISH).measurements();
        Map<Signal, Measurement> refusing = hour(LATER, 2_000, 0.05, 900, 100, 200, ENGLISH).measurements();

        assertTrue(monitor.assess(ROUTE, baseline, slow, null, LATER).fired().isPresent());
        Assessment inside = monitor.assess(ROUTE, baseline, refusing, null, LATER.plus(Duration.ofHours(23)));
        assertTrue(inside.fired().isEmpty());
        assertEquals(Decision.Outcome.COOLING_DOWN, decision(inside, Signal.REFUSAL_RATE).outcome());
        assertTrue(decision(inside, Signal.REFUSAL_RATE).reason().contains("cool-down until"));

        Assessment after = monitor.assess(ROUTE, baseline, refusing, null, LATER.plus(Duration.ofHours(25)));
        assertEquals("refusal_rate", after.fired().orElseThrow().signal());
    }

    @Test
    void aLatencyRiseIsBadAndALatencyDropIsNot() {
        RetrainingRule rule = new RetrainingRule(DegradationPolicy.defaults());
        Assessment slower = rule.assess(ROUTE, baseline(), hour(LATER, 2_000, 0.02, 900, 100, 260, ENGLISH)
                .measurements(), null, Optional.empty(), LATER);
        Assessment faster = rule.assess(ROUTE, baseline(), hour(LATER, 2_000, 0.02, 900, 100, 120, ENGLISH)
                .measurements(), null, Optional.empty(), LATER);

        assertEquals("p95_latency_ms", slower.fired().orElseThrow().signal());
        assertTrue(faster.fired().isEmpty());
        assertEquals(Decision.Outcome.WITHIN_TOLERANCE, decision(faster, Signal.P95_LATENCY_MS).outcome());
        assertTrue(decision(faster, Signal.P95_LATENCY_MS).reason().contains("better by"));
    }

    @Test
    void twoSignalsDegradingTogetherFireOneRetraining() {
        Assessment a = new RetrainingRule(DegradationPolicy.defaults()).assess(ROUTE, baseline(),
                hour(LATER, 2_000, 0.05, 800, 200, 200, ENGLISH).measurements(), null, Optional.empty(),
                LATER);
        assertEquals(1, a.decisions().stream().filter(Decision::fired).count());
        assertEquals(1, a.decisions().stream().filter(d -> d.outcome() == Decision.Outcome.ALREADY_FIRED).count());
    }

    @Test
    void aRouteCanTolerateMoreThanTheDefault() {
        DegradationPolicy policy = DegradationPolicy.defaults().withTolerance(ROUTE, Signal.SATISFACTION, 0.15);
        Map<Signal, Measurement> worse = hour(LATER, 2_000, 0.02, 800, 200, 200, ENGLISH).measurements();
        RetrainingRule rule = new RetrainingRule(policy);

        assertTrue(rule.assess(ROUTE, baseline(), worse, null, Optional.empty(), LATER).fired().isEmpty());
        assertTrue(rule.assess("other-route", baseline(), worse, null, Optional.empty(), LATER).fired()
                .isPresent());
    }

    @Test
    void concurrentAssessmentsOfOneRouteFireOnce() throws Exception {
        DegradationMonitor monitor = new DegradationMonitor(DegradationPolicy.defaults());
        Baseline baseline = baseline();
        Map<Signal, Measurement> worse = hour(LATER, 2_000, 0.02, 800, 200, 200, ENGLISH).measurements();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Assessment>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            results.add(pool.submit(() -> monitor.assess(ROUTE, baseline, worse, null, LATER)));
        }
        List<Assessment> assessments = new ArrayList<>();
        for (Future<Assessment> f : results) {
            assessments.add(f.get());
        }
        pool.shutdown();
        assertEquals(1, firedCount(assessments));
        assertFalse(monitor.lastFired(ROUTE).isEmpty());
    }
}

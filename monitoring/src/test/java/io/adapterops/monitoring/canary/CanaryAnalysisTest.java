package io.adapterops.monitoring.canary;

import io.adapterops.monitoring.DegradationPolicy;
import io.adapterops.monitoring.Measurement;
import io.adapterops.monitoring.Signal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanaryAnalysisTest {
    private static final List<Signal> SIGNALS = List.of(Signal.SATISFACTION, Signal.REFUSAL_RATE, Signal.P95_LATENCY_MS);
    private static final DegradationPolicy POLICY = DegradationPolicy.defaults().withMinSamples(100);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

    private static Map<Signal, Measurement> arm(double satisfaction, double refusal, double p95, long n) {
        return Map.of(Signal.SATISFACTION, new Measurement(satisfaction, n), Signal.REFUSAL_RATE,
                new Measurement(refusal, n), Signal.P95_LATENCY_MS, new Measurement(p95, n));
    }

    @Test
    void challengerAsGoodAsTheChampionPassesWithEverySignalDecided() {
        CanaryVerdict v = new CanaryAnalysis(POLICY, SIGNALS).analyse("r", arm(0.90, 0.02, 200, 400),
                arm(0.91, 0.02, 204, 300), HOUR, DAY);
        assertEquals(CanaryVerdict.Outcome.PASS, v.outcome(), v.reason());
        assertTrue(v.reason().contains("refusal_rate: challenger 0.02000 over 300 samples, champion 0.02000 over 400: "
                + "no difference"), v.reason());
        assertTrue(v.comparisons().stream().allMatch(c -> c.verdict() == ArmComparison.Verdict.WITHIN_TOLERANCE));
        assertTrue(v.reason().contains("p95_latency_ms: challenger 204.0 over 300 samples, champion 200.0 over 400: "
                + "worse by 2.0%, within the 5.0% allowed"), v.reason());
    }

    @Test
    void satisfactionFallingMoreThanTheToleranceFailsAndTheReasonNamesBothNumbers() {
        CanaryVerdict v = new CanaryAnalysis(POLICY, SIGNALS).analyse("r", arm(0.90, 0.02, 200, 400),
                arm(0.80, 0.02, 200, 300), HOUR, DAY);
        assertEquals(CanaryVerdict.Outcome.FAIL, v.outcome());
        assertTrue(v.reason().startsWith("fail: satisfaction: challenger 0.8000 over 300 samples, champion 0.9000"),
                v.reason());
    }

    @Test
    void aWorseSignalFailsEvenWhileAnotherStillLacksSamples() {
        Map<Signal, Measurement> challenger = Map.of(Signal.REFUSAL_RATE, new Measurement(0.10, 300),
                Signal.P95_LATENCY_MS, new Measurement(200, 300));
        CanaryVerdict v = new CanaryAnalysis(POLICY, SIGNALS).analyse("r", arm(0.9, 0.02, 200, 400), challenger,
                Duration.ofMinutes(5), DAY);
        assertEquals(CanaryVerdict.Outcome.FAIL, v.outcome(), v.reason());
        assertTrue(v.reason().contains("refusal_rate"), v.reason());
    }

    @Test
    void tooFewSamplesIsInconclusiveUntilTheMaximumDurationThenFailsSafe() {
        CanaryAnalysis analysis = new CanaryAnalysis(POLICY, SIGNALS);
        CanaryVerdict early = analysis.analyse("r", arm(0.9, 0.02, 200, 400), arm(0.9, 0.02, 200, 99), HOUR, DAY);
        assertEquals(CanaryVerdict.Outcome.INCONCLUSIVE, early.outcome(), early.reason());
        assertTrue(early.reason().contains("99 samples on the challenger and 400 on the champion, 100 needed"),
                early.reason());
        CanaryVerdict late = analysis.analyse("r", arm(0.9, 0.02, 200, 400), arm(0.9, 0.02, 200, 99), DAY, DAY);
        assertEquals(CanaryVerdict.Outcome.FAIL, late.outcome());
        assertTrue(late.reason().startsWith("fail (fail-safe): still inconclusive after PT24H"), late.reason());
    }

    @Test
    void aSignalWithoutAnyObservationIsNeverTakenAsAPass() {
        Map<Signal, Measurement> noFeedback = Map.of(Signal.REFUSAL_RATE, new Measurement(0.02, 300),
                Signal.P95_LATENCY_MS, new Measurement(200, 300));
        CanaryVerdict v = new CanaryAnalysis(POLICY, SIGNALS).analyse("r", noFeedback, noFeedback, HOUR, DAY);
        assertEquals(CanaryVerdict.Outcome.INCONCLUSIVE, v.outcome(), v.reason());
    }

    @Test
    void perRouteToleranceApplies() {
        DegradationPolicy lenient = POLICY.withTolerance("slow-ok", Signal.P95_LATENCY_MS, 1.0);
        CanaryAnalysis analysis = new CanaryAnalysis(lenient, SIGNALS);
        assertEquals(CanaryVerdict.Outcome.PASS, analysis.analyse("slow-ok", arm(0.9, 0.02, 200, 400),
                arm(0.9, 0.02, 300, 400), HOUR, DAY).outcome());
        assertEquals(CanaryVerdict.Outcome.FAIL, analysis.analyse("strict", arm(0.9, 0.02, 200, 400),
                arm(0.9, 0.02, 300, 400), HOUR, DAY).outcome());
    }

    @Test
    void anAnalysisWithoutSignalsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CanaryAnalysis(POLICY, List.of()));
    }
}

package io.adapterops.monitoring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DegradationRuleTest {
    private final DegradationRule quality = new DegradationRule(Signal.CANARY_SCORE, 0.05);
    private final DegradationRule latency = new DegradationRule(Signal.P95_LATENCY_MS, 0.05);

    @Test
    void aQualityDropOfMoreThanFivePercentIsDegradation() {
        assertEquals(0.06, quality.worsening(0.50, 0.47), 1e-12);
        assertTrue(quality.degraded(0.50, 0.47));
        assertFalse(quality.degraded(0.50, 0.48), "a 4% drop stays within tolerance");
        assertFalse(quality.degraded(0.50, 0.60), "an improvement is never degradation");
    }

    @Test
    void aLatencyRiseOfMoreThanFivePercentIsDegradation() {
        assertTrue(latency.degraded(200, 211));
        assertFalse(latency.degraded(200, 210), "exactly 5% is not more than 5%");
        assertFalse(latency.degraded(200, 150));
    }

    @Test
    void aZeroBaselineTreatsAnyWorseningAsUnbounded() {
        DegradationRule refusals = new DegradationRule(Signal.REFUSAL_RATE, 0.05);
        assertTrue(refusals.degraded(0, 0.01));
        assertFalse(refusals.degraded(0, 0));
    }

    @Test
    void badRulesAndValuesAreRefusedWithTheMetricName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DegradationRule(Signal.P95_LATENCY_MS, -0.1));
        assertTrue(e.getMessage().contains("p95_latency_ms"));
        assertThrows(IllegalArgumentException.class, () -> quality.worsening(Double.NaN, 1));
    }
}

package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.FeatureProfile;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link RollingWindow} saw in [{@code from}, {@code to}): counts, the P95 latency (within
 * one histogram bin: 1 ms below 64 ms, 1% above), and the prompts' feature profile for drift.
 * The profile is the caller's own copy.
 */
public record WindowSummary(Instant from, Instant to, long requests, long refused, long feedbackUp,
                            long feedbackDown, double p95LatencyMs, FeatureProfile prompts) {

    /** up / (up + down); NaN without feedback. */
    public double satisfaction() {
        long votes = feedbackUp + feedbackDown;
        return votes == 0 ? Double.NaN : (double) feedbackUp / votes;
    }

    /** refused / requests; NaN without requests. */
    public double refusalRate() {
        return requests == 0 ? Double.NaN : (double) refused / requests;
    }

    /** The window's signals with their sample sizes; a signal without observations is left out. */
    public Map<Signal, Measurement> measurements() {
        Map<Signal, Measurement> values = new LinkedHashMap<>();
        if (feedbackUp + feedbackDown > 0) {
            values.put(Signal.SATISFACTION, new Measurement(satisfaction(), feedbackUp + feedbackDown));
        }
        if (requests > 0) {
            values.put(Signal.REFUSAL_RATE, new Measurement(refusalRate(), requests));
            values.put(Signal.P95_LATENCY_MS, new Measurement(p95LatencyMs, requests));
        }
        return values;
    }
}

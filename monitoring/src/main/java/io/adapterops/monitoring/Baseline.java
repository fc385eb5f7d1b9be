package io.adapterops.monitoring;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A champion's reference values: the window right after it became champion, or its evaluation
 * (DESIGN.md, "Retraining rule"). {@code source} says which, in words that go into every decision's
 * reason, e.g. "window after promotion on 2026-11-29".
 */
public record Baseline(String source, Instant since, Map<Signal, Measurement> values) {

    public Baseline {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a baseline needs a source");
        }
        values = Map.copyOf(values);
    }

    public static Baseline of(String source, WindowSummary window) {
        return new Baseline(source, window.from(), window.measurements());
    }

    /** The same baseline with one more signal, e.g. the canary score from the champion's evaluation. */
    public Baseline with(Signal signal, Measurement measurement) {
        Map<Signal, Measurement> more = new LinkedHashMap<>(values);
        more.put(signal, measurement);
        return new Baseline(source, since, more);
    }
}

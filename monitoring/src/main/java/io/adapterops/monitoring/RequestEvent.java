package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.TextFeatures;

import java.time.Instant;

/** One logged request as a window needs it; {@code features} may be null when prompts are not profiled. */
public record RequestEvent(Instant at, double latencyMs, boolean refused, TextFeatures features) {

    public RequestEvent {
        if (at == null) {
            throw new IllegalArgumentException("a request event needs a time");
        }
        if (!(latencyMs >= 0) || Double.isInfinite(latencyMs)) {
            throw new IllegalArgumentException("latency must be a finite number >= 0 ms, got " + latencyMs);
        }
    }
}

package io.adapterops.monitoring;

/**
 * A quality signal of a route's champion and which way is good. {@link #name()} is the name used
 * in policies, audit lines and metric tags.
 */
public record Signal(String name, Direction direction) {

    public enum Direction { HIGHER_IS_BETTER, LOWER_IS_BETTER }

    /** up / (up + down) over the feedback in the window. */
    public static final Signal SATISFACTION = new Signal("satisfaction", Direction.HIGHER_IS_BETTER);
    /** refused / requests in the window; bad when it rises. */
    public static final Signal REFUSAL_RATE = new Signal("refusal_rate", Direction.LOWER_IS_BETTER);
    /** 95th percentile of request latency in milliseconds; bad when it rises. */
    public static final Signal P95_LATENCY_MS = new Signal("p95_latency_ms", Direction.LOWER_IS_BETTER);
    /** Score of the route's canary evaluation suite, supplied by the evaluator. */
    public static final Signal CANARY_SCORE = new Signal("canary_score", Direction.HIGHER_IS_BETTER);

    public Signal {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a signal needs a name");
        }
        if (direction == null) {
            throw new IllegalArgumentException("signal '" + name + "' needs a direction");
        }
    }
}

package io.adapterops.monitoring;

/**
 * The verdict on one signal (or one drifted feature) of one route, fired or not, with a reason a
 * person can read; the service writes the reason to the audit log verbatim.
 *
 * <p>For a quality signal, {@code baseline} and {@code current} are the two values,
 * {@code change} the relative worsening and {@code threshold} the tolerance. For drift
 * ({@code signal} "drift.&lt;feature&gt;"), {@code current} is the statistic that decided,
 * {@code threshold} its threshold, and {@code baseline} and {@code change} are NaN.
 */
public record Decision(String route, String signal, Outcome outcome, double baseline, double current,
                       double change, double threshold, long sampleSize, String reason) {

    public enum Outcome {
        /** Degraded, and this decision fires the retraining. */
        FIRED,
        /** Degraded, but another signal fired the retraining in the same assessment. */
        ALREADY_FIRED,
        /** Degraded, but the route fired a retraining within the cool-down. */
        COOLING_DOWN,
        WITHIN_TOLERANCE,
        TOO_FEW_SAMPLES
    }

    public boolean fired() {
        return outcome == Outcome.FIRED;
    }

    public boolean degraded() {
        return outcome == Outcome.FIRED || outcome == Outcome.ALREADY_FIRED || outcome == Outcome.COOLING_DOWN;
    }
}

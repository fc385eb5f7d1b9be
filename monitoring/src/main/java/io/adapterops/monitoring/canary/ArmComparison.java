package io.adapterops.monitoring.canary;

import io.adapterops.monitoring.Signal;

/**
 * One signal of a challenger against the champion over the same window: both values, both sample
 * sizes, the relative worsening (positive means the challenger is worse; NaN without a decision),
 * the tolerance, and a reason a person can read (it goes into the audit log verbatim).
 */
public record ArmComparison(Signal signal, Verdict verdict, double champion, long championSamples,
                            double challenger, long challengerSamples, double worsening, double tolerance,
                            String reason) {

    public enum Verdict {
        /** Better than the champion, or worse by no more than the tolerance. */
        WITHIN_TOLERANCE,
        /** Worse than the champion by more than the tolerance. */
        WORSE,
        /** One of the arms has fewer observations than the minimum: no decision yet. */
        TOO_FEW_SAMPLES
    }
}

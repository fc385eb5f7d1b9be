package io.adapterops.monitoring.canary;

import java.util.List;

/**
 * The outcome of one canary analysis (as Argo Rollouts' and Kayenta's: every analysis ends in one of
 * three), with the per-signal comparisons behind it and a one-line reason naming the numbers.
 */
public record CanaryVerdict(Outcome outcome, List<ArmComparison> comparisons, String reason) {

    public enum Outcome {
        /** Every signal decided and none worse than its tolerance. */
        PASS,
        /** A signal worse than its tolerance, or inconclusive past the maximum duration (fail-safe). */
        FAIL,
        /** Not enough samples yet on some signal, and nothing worse. */
        INCONCLUSIVE;

        /** Lower-case, as metric tags and the API show it. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public CanaryVerdict {
        comparisons = List.copyOf(comparisons);
    }
}

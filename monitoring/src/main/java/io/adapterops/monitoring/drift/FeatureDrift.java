package io.adapterops.monitoring.drift;

import java.util.Locale;

/**
 * One feature's drift verdict: the chosen test's statistic against its threshold, and PSI against
 * its own. The feature counts as drifted when either says so.
 */
public record FeatureDrift(Feature feature, DriftMethod method, double statistic, double threshold,
                           boolean methodDrifted, double psi, double psiThreshold, boolean psiDrifted,
                           long referenceCount, long liveCount) {

    public boolean drifted() {
        return methodDrifted || psiDrifted;
    }

    /** A sentence for the audit log, e.g. "prompt_tokens: PSI 0.412 ≥ 0.2; K-S p-value 0.0001 < 0.05 (...)". */
    public String describe() {
        String test = method.displayName() + " " + format(statistic) + (methodDrifted
                ? (method.isPValue() ? " < " : " ≥ ") : (method.isPValue() ? " ≥ " : " < ")) + format(threshold);
        String psiPart = "PSI " + format(psi) + (psiDrifted ? " ≥ " : " < ") + format(psiThreshold);
        return String.format(Locale.ROOT, "%s: %s; %s (reference %,d, live %,d)", feature.id(),
                psiDrifted && !methodDrifted ? psiPart : test, psiDrifted && !methodDrifted ? test : psiPart,
                referenceCount, liveCount);
    }

    private static String format(double value) {
        return Math.abs(value) >= 0.001 || value == 0 ? String.format(Locale.ROOT, "%.4g", value)
                : String.format(Locale.ROOT, "%.3e", value);
    }
}

package io.adapterops.monitoring.drift;

import java.util.Set;

/**
 * The drift tests, with Evidently's default thresholds (evidently/legacy/calculations/stattests/*.py)
 * except PSI, whose 0.2 is the issue's (Evidently's default is 0.1). A p-value test reports drift
 * when p &lt; threshold; a distance reports drift when it is ≥ threshold, as Evidently compares.
 */
public enum DriftMethod {
    KOLMOGOROV_SMIRNOV("K-S p-value", true, 0.05, Set.of(Feature.Kind.NUMERIC)),
    CHI_SQUARED("chi-squared p-value", true, 0.05, Set.of(Feature.Kind.CATEGORICAL)),
    WASSERSTEIN("Wasserstein distance (normed)", false, 0.1, Set.of(Feature.Kind.NUMERIC)),
    JENSEN_SHANNON("Jensen-Shannon distance", false, 0.1, Set.of(Feature.Kind.NUMERIC, Feature.Kind.CATEGORICAL)),
    PSI("PSI", false, 0.2, Set.of(Feature.Kind.NUMERIC, Feature.Kind.CATEGORICAL));

    private final String displayName;
    private final boolean pValue;
    private final double defaultThreshold;
    private final Set<Feature.Kind> kinds;

    DriftMethod(String displayName, boolean pValue, double defaultThreshold, Set<Feature.Kind> kinds) {
        this.displayName = displayName;
        this.pValue = pValue;
        this.defaultThreshold = defaultThreshold;
        this.kinds = kinds;
    }

    public String displayName() {
        return displayName;
    }

    public boolean isPValue() {
        return pValue;
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    public boolean supports(Feature.Kind kind) {
        return kinds.contains(kind);
    }

    public boolean drifted(double statistic, double threshold) {
        return pValue ? statistic < threshold : statistic >= threshold;
    }
}

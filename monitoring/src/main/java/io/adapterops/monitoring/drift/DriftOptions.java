package io.adapterops.monitoring.drift;

import java.util.EnumMap;
import java.util.Map;

/**
 * How drift is tested, per feature. By default the method follows Evidently's choice
 * ({@code _get_default_stattest} in evidently/legacy/calculations/stattests/registry.py): with at
 * most {@code smallReferenceRows} (1,000) reference rows, Kolmogorov–Smirnov for numeric and
 * chi-squared for categorical features; above, normed Wasserstein and Jensen–Shannon. PSI is
 * always reported besides, with its own threshold. Each feature's method and threshold can be
 * overridden. Immutable.
 */
public record DriftOptions(int smallReferenceRows, double psiThreshold, Map<Feature, Choice> overrides) {

    /** A feature's method, and its threshold (null: the method's default). */
    public record Choice(DriftMethod method, Double threshold) {
        public double effectiveThreshold() {
            return threshold == null ? method.defaultThreshold() : threshold;
        }
    }

    public DriftOptions {
        if (smallReferenceRows < 0) {
            throw new IllegalArgumentException("smallReferenceRows must be >= 0, got " + smallReferenceRows);
        }
        requireThreshold("PSI", psiThreshold);
        overrides = Map.copyOf(overrides);
    }

    public static DriftOptions defaults() {
        return new DriftOptions(1_000, DriftMethod.PSI.defaultThreshold(), Map.of());
    }

    public DriftOptions withMethod(Feature feature, DriftMethod method, Double threshold) {
        if (!method.supports(feature.kind())) {
            throw new IllegalArgumentException(method.displayName() + " does not apply to " + feature.id()
                    + ", a " + feature.kind().name().toLowerCase() + " feature");
        }
        if (threshold != null) {
            requireThreshold(feature.id(), threshold);
        }
        Map<Feature, Choice> changed = new EnumMap<>(Feature.class);
        changed.putAll(overrides);
        changed.put(feature, new Choice(method, threshold));
        return new DriftOptions(smallReferenceRows, psiThreshold, changed);
    }

    public DriftOptions withPsiThreshold(double threshold) {
        return new DriftOptions(smallReferenceRows, threshold, overrides);
    }

    /** The method and threshold for a feature whose reference holds {@code referenceRows} values. */
    public Choice choose(Feature feature, long referenceRows) {
        Choice override = overrides.get(feature);
        if (override != null) {
            return override;
        }
        boolean small = referenceRows <= smallReferenceRows;
        DriftMethod method = feature.kind() == Feature.Kind.NUMERIC
                ? (small ? DriftMethod.KOLMOGOROV_SMIRNOV : DriftMethod.WASSERSTEIN)
                : (small ? DriftMethod.CHI_SQUARED : DriftMethod.JENSEN_SHANNON);
        return new Choice(method, null);
    }

    private static void requireThreshold(String what, double threshold) {
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("drift threshold of " + what + " must be a finite number > 0, got "
                    + threshold);
        }
    }
}

package io.adapterops.monitoring;

/**
 * Decides whether a metric got worse than its baseline by more than a relative tolerance
 * (DESIGN.md: "a relative drop of more than 5% in quality, or a rise of more than 5% in refusal
 * rate or P95 latency"). Which direction is "worse" depends on the metric.
 */
public record DegradationRule(String metric, Direction worseWhen, double tolerance) {

    public enum Direction { LOWER, HIGHER }

    public static final double DEFAULT_TOLERANCE = 0.05;

    public DegradationRule {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("a degradation rule needs a metric name");
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance of '" + metric + "' must be a finite number >= 0, got "
                    + tolerance);
        }
    }

    /** Relative change of {@code current} against {@code baseline}, signed so that positive means worse. */
    public double worsening(double baseline, double current) {
        if (!Double.isFinite(baseline) || !Double.isFinite(current)) {
            throw new IllegalArgumentException("'" + metric + "' values must be finite: baseline " + baseline
                    + ", current " + current);
        }
        if (baseline == 0) {
            return current == 0 ? 0 : (worseWhen == Direction.HIGHER ? Math.signum(current) : -Math.signum(current))
                    * Double.POSITIVE_INFINITY;
        }
        double change = (current - baseline) / Math.abs(baseline);
        return worseWhen == Direction.HIGHER ? change : -change;
    }

    public boolean degraded(double baseline, double current) {
        return worsening(baseline, current) > tolerance;
    }
}

package io.adapterops.monitoring;

/**
 * Decides whether a signal got worse than its baseline by more than a relative tolerance
 * (DESIGN.md: "a relative drop of more than 5% in quality, or a rise of more than 5% in refusal
 * rate or P95 latency"). Which direction is worse comes from the signal.
 */
public record DegradationRule(Signal signal, double tolerance) {

    public static final double DEFAULT_TOLERANCE = 0.05;

    public DegradationRule {
        if (signal == null) {
            throw new IllegalArgumentException("a degradation rule needs a signal");
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance of '" + signal.name() + "' must be a finite number >= 0, got "
                    + tolerance);
        }
    }

    /** Relative change of {@code current} against {@code baseline}, signed so that positive means worse. */
    public double worsening(double baseline, double current) {
        if (!Double.isFinite(baseline) || !Double.isFinite(current)) {
            throw new IllegalArgumentException("'" + signal.name() + "' values must be finite: baseline " + baseline
                    + ", current " + current);
        }
        boolean worseWhenHigher = signal.direction() == Signal.Direction.LOWER_IS_BETTER;
        if (baseline == 0) {
            return current == 0 ? 0 : (worseWhenHigher ? Math.signum(current) : -Math.signum(current))
                    * Double.POSITIVE_INFINITY;
        }
        double change = (current - baseline) / Math.abs(baseline);
        return worseWhenHigher ? change : -change;
    }

    public boolean degraded(double baseline, double current) {
        return worsening(baseline, current) > tolerance;
    }
}

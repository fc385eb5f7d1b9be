package io.adapterops.monitoring.stats;

/**
 * Population stability index Σ (r − c) · ln(r / c) over binned shares, as Evidently computes it
 * (evidently/legacy/calculations/stattests/psi.py). Empty bins are filled first, as Evidently's
 * {@code get_binned_data(..., feel_zeroes=True)} does: with the smallest non-zero share / 10⁶ when
 * that share is at most 0.0001, else with 0.0001, separately for each side.
 */
public final class PopulationStability {

    private PopulationStability() { }

    public static double index(double[] reference, double[] current) {
        if (reference.length != current.length) {
            throw new IllegalArgumentException("PSI needs the same bins on both sides");
        }
        double[] r = fillEmpty(reference);
        double[] c = fillEmpty(current);
        double psi = 0;
        for (int i = 0; i < r.length; i++) {
            psi += (r[i] - c[i]) * Math.log(r[i] / c[i]);
        }
        return psi;
    }

    static double[] fillEmpty(double[] shares) {
        double smallest = Double.POSITIVE_INFINITY;
        for (double s : shares) {
            if (s > 0) {
                smallest = Math.min(smallest, s);
            }
        }
        if (smallest == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("PSI needs at least one non-empty bin on each side");
        }
        double fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
        double[] filled = shares.clone();
        for (int i = 0; i < filled.length; i++) {
            if (filled[i] == 0) {
                filled[i] = fill;
            }
        }
        return filled;
    }
}

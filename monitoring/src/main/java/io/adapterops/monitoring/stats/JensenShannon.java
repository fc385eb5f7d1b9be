package io.adapterops.monitoring.stats;

/**
 * Jensen–Shannon distance, as scipy's {@code spatial.distance.jensenshannon(p, q)} with its
 * default natural-log base (which is what Evidently calls, base=None): both vectors are normalised
 * to sum 1, m = (p + q)/2, and the distance is √((KL(p‖m) + KL(q‖m)) / 2). It lies in [0, √ln 2].
 */
public final class JensenShannon {

    private JensenShannon() { }

    public static double distance(double[] p, double[] q) {
        if (p.length != q.length || p.length == 0) {
            throw new IllegalArgumentException("Jensen–Shannon needs two vectors of the same, non-zero length");
        }
        double pSum = 0;
        double qSum = 0;
        for (int i = 0; i < p.length; i++) {
            pSum += p[i];
            qSum += q[i];
        }
        if (pSum <= 0 || qSum <= 0) {
            throw new IllegalArgumentException("Jensen–Shannon needs two vectors with positive mass");
        }
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double pi = p[i] / pSum;
            double qi = q[i] / qSum;
            double mi = (pi + qi) / 2;
            divergence += relativeEntropy(pi, mi) + relativeEntropy(qi, mi);
        }
        return Math.sqrt(Math.max(0, divergence / 2));
    }

    private static double relativeEntropy(double x, double y) {
        return x == 0 ? 0 : x * Math.log(x / y);
    }
}

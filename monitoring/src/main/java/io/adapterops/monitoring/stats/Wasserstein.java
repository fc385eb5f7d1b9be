package io.adapterops.monitoring.stats;

/**
 * First Wasserstein (earth mover's) distance between two weighted one-dimensional distributions,
 * as scipy's {@code wasserstein_distance(u, v, u_weights, v_weights)}: ∫ |U(x) − V(x)| dx over
 * the two CDFs, which are step functions between the sorted values.
 */
public final class Wasserstein {

    private Wasserstein() { }

    public static double distance(WeightedValues u, WeightedValues v) {
        double uTotal = u.totalWeight();
        double vTotal = v.totalWeight();
        if (uTotal <= 0 || vTotal <= 0) {
            throw new IllegalArgumentException("Wasserstein distance needs two distributions with positive weight");
        }
        double[] uv = u.values();
        double[] uw = u.weights();
        double[] vv = v.values();
        double[] vw = v.weights();
        int i = 0;
        int j = 0;
        double uCum = 0;
        double vCum = 0;
        double distance = 0;
        double x = Math.min(uv[0], vv[0]);
        while (i < uv.length || j < vv.length) {
            double next = Math.min(i < uv.length ? uv[i] : Double.POSITIVE_INFINITY,
                    j < vv.length ? vv[j] : Double.POSITIVE_INFINITY);
            distance += Math.abs(uCum / uTotal - vCum / vTotal) * (next - x);
            while (i < uv.length && uv[i] == next) {
                uCum += uw[i++];
            }
            while (j < vv.length && vv[j] == next) {
                vCum += vw[j++];
            }
            x = next;
        }
        return distance;
    }
}

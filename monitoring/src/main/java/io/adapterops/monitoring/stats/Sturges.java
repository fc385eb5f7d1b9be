package io.adapterops.monitoring.stats;

/**
 * Equal-width bins over two samples together, as numpy's
 * {@code np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")}: ⌈log2(n) + 1⌉ bins
 * between the joint minimum and maximum (widened by ±0.5 when they are equal). Evidently bins
 * numeric features this way for PSI and Jensen–Shannon
 * (evidently/legacy/calculations/stattests/utils.py, {@code get_binned_data}).
 */
public final class Sturges {

    private Sturges() { }

    public static double[] edges(WeightedValues a, WeightedValues b) {
        double n = a.totalWeight() + b.totalWeight();
        double first = Math.min(a.min(), b.min());
        double last = Math.max(a.max(), b.max());
        int bins;
        if (first == last) {
            first -= 0.5;
            last += 0.5;
            bins = 1;
        } else {
            double width = (last - first) / (Math.log(n) / Math.log(2) + 1.0);
            bins = (int) Math.ceil((last - first) / width);
        }
        // numpy.linspace: start + i·step, with the last edge set to stop exactly
        double[] edges = new double[bins + 1];
        double step = (last - first) / bins;
        for (int i = 0; i < bins; i++) {
            edges[i] = i * step + first;
        }
        edges[bins] = last;
        return edges;
    }

    /**
     * Share of the weight in each bin, as {@code np.histogram(x, edges)[0] / len(x)}: bins are
     * half-open [e_i, e_{i+1}) except the last, which includes its right edge; values outside are
     * not counted.
     */
    public static double[] shares(WeightedValues x, double[] edges) {
        int bins = edges.length - 1;
        double[] shares = new double[bins];
        double total = x.totalWeight();
        double[] values = x.values();
        double[] weights = x.weights();
        int bin = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v < edges[0] || v > edges[bins]) {
                continue;
            }
            while (bin < bins - 1 && v >= edges[bin + 1]) {
                bin++;
            }
            shares[bin] += weights[i] / total;
        }
        return shares;
    }
}

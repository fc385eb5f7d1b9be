package io.adapterops.monitoring.drift;

import io.adapterops.monitoring.stats.WeightedValues;

import java.util.Arrays;

/**
 * A streaming, mergeable histogram of non-negative values on fixed bins: {@code linearBins} bins
 * of width {@code unit} from 0, then bins growing by a factor (1 + growth) each, the last one open
 * to infinity. Memory is fixed by the bins, whatever the number of values.
 *
 * <p>Error: a quantile is interpolated inside the bin that holds it, so it is off by at most one
 * bin width: {@code unit} in the linear range, {@code growth} relative above it. Each bin also
 * keeps the sum of its values, so a bin holding one distinct value (an integer in a unit bin)
 * reports it exactly to the distance statistics.
 *
 * <p>Not thread-safe: a window owns its histograms and guards them.
 */
public final class Histogram {

    /** Bin layout; two histograms merge or compare only on equal layouts. */
    public record Bins(double unit, int linearBins, double growth, int logBins) {
        /** Token counts: exact to 256, then 2% bins to about 2.3 million. */
        public static final Bins TOKENS = new Bins(1, 256, 0.02, 460);
        /** Latency in milliseconds: 1 ms bins to 64 ms, then 1% bins to about an hour. */
        public static final Bins LATENCY_MS = new Bins(1, 64, 0.01, 1_100);

        public Bins {
            if (!(unit > 0) || linearBins < 1 || !(growth > 0) || logBins < 1) {
                throw new IllegalArgumentException("bad histogram bins " + unit + "/" + linearBins + "/" + growth
                        + "/" + logBins);
            }
        }

        public int count() {
            return linearBins + logBins;
        }

        double linearLimit() {
            return unit * linearBins;
        }

        double lower(int index) {
            return index < linearBins ? index * unit : linearLimit() * Math.pow(1 + growth, index - linearBins);
        }

        double upper(int index) {
            return index == count() - 1 ? Double.POSITIVE_INFINITY : lower(index + 1);
        }
    }

    private final Bins bins;
    private final double linearLimit;
    private final double inverseLogGrowth;
    private final long[] counts;
    private final double[] sums;
    private long count;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    public Histogram(Bins bins) {
        this.bins = bins;
        this.linearLimit = bins.linearLimit();
        this.inverseLogGrowth = 1 / Math.log1p(bins.growth());
        this.counts = new long[bins.count()];
        this.sums = new double[bins.count()];
    }

    public void add(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("histogram values must be finite and >= 0, got " + value);
        }
        int i = index(value);
        counts[i]++;
        sums[i] += value;
        count++;
        if (value < min) {
            min = value;
        }
        if (value > max) {
            max = value;
        }
    }

    private int index(double v) {
        if (v < linearLimit) {
            return (int) (v / bins.unit());
        }
        int k = (int) (Math.log(v / linearLimit) * inverseLogGrowth);
        return Math.min(bins.linearBins() + k, counts.length - 1);
    }

    public void merge(Histogram other) {
        if (!bins.equals(other.bins)) {
            throw new IllegalArgumentException("cannot merge histograms with bins " + bins + " and " + other.bins);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
            sums[i] += other.sums[i];
        }
        count += other.count;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    public void clear() {
        Arrays.fill(counts, 0);
        Arrays.fill(sums, 0);
        count = 0;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
    }

    public Bins bins() {
        return bins;
    }

    public long count() {
        return count;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /**
     * The q-quantile by nearest rank (the value at rank ⌈q·n⌉), interpolated within its bin and
     * clamped to the observed range; NaN when empty.
     */
    public double quantile(double q) {
        if (count == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            if (seen + counts[i] >= rank) {
                double lo = Math.max(bins.lower(i), min);
                double hi = Math.min(bins.upper(i), max);
                double fraction = (double) (rank - seen) / counts[i];
                return lo + (hi - lo) * fraction;
            }
            seen += counts[i];
        }
        return max;
    }

    /** One value per non-empty bin (its mean), weighted by the bin's count. */
    public WeightedValues weightedValues() {
        int nonEmpty = 0;
        for (long c : counts) {
            if (c > 0) {
                nonEmpty++;
            }
        }
        double[] values = new double[nonEmpty];
        double[] weights = new double[nonEmpty];
        int k = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                values[k] = sums[i] / counts[i];
                weights[k++] = counts[i];
            }
        }
        return new WeightedValues(values, weights);
    }

    long binCount(int index) {
        return counts[index];
    }

    double binSum(int index) {
        return sums[index];
    }

    void restoreBin(int index, long binCount, double binSum) {
        counts[index] += binCount;
        sums[index] += binSum;
        count += binCount;
    }

    void restoreRange(double restoredMin, double restoredMax) {
        min = Math.min(min, restoredMin);
        max = Math.max(max, restoredMax);
    }
}

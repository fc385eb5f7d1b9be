package io.adapterops.monitoring.drift;

import io.adapterops.monitoring.stats.WeightedValues;

/**
 * Bounded summary of one numeric feature: a {@link Histogram} (for PSI, Jensen–Shannon and
 * Wasserstein over all values), a {@link Reservoir} of at most 1,000 values (for the
 * Kolmogorov–Smirnov test, which Evidently runs only when the reference has at most 1,000 rows, so
 * the reference sample is then complete), and the exact mean and variance (Welford, merged by
 * Chan's formula) for the Wasserstein norm. Not thread-safe.
 */
public final class NumericSketch {

    private final Histogram histogram;
    private final Reservoir sample;
    private long count;
    private double mean;
    private double m2;

    public NumericSketch(Histogram.Bins bins, long seed) {
        this.histogram = new Histogram(bins);
        this.sample = new Reservoir(Reservoir.DEFAULT_CAPACITY, seed);
    }

    public void add(double value) {
        histogram.add(value);
        sample.add(value);
        count++;
        double delta = value - mean;
        mean += delta / count;
        m2 += delta * (value - mean);
    }

    public void merge(NumericSketch other) {
        histogram.merge(other.histogram);
        sample.merge(other.sample);
        restoreMoments(other.count, other.mean, other.m2);
    }

    public void clear() {
        histogram.clear();
        sample.clear();
        count = 0;
        mean = 0;
        m2 = 0;
    }

    public long count() {
        return count;
    }

    public double mean() {
        return mean;
    }

    /** Standard deviation with divisor N, as Evidently's {@code np.std(reference_data)}. */
    public double populationStd() {
        return count == 0 ? Double.NaN : Math.sqrt(m2 / count);
    }

    double m2() {
        return m2;
    }

    public Histogram histogram() {
        return histogram;
    }

    public double[] sample() {
        return sample.values();
    }

    Reservoir reservoir() {
        return sample;
    }

    public WeightedValues distribution() {
        return histogram.weightedValues();
    }

    void restoreMoments(long otherCount, double otherMean, double otherM2) {
        if (otherCount == 0) {
            return;
        }
        long total = count + otherCount;
        double delta = otherMean - mean;
        m2 += otherM2 + delta * delta * count * otherCount / total;
        mean += delta * otherCount / total;
        count = total;
    }
}

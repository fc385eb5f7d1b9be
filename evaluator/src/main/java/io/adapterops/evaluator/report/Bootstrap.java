package io.adapterops.evaluator.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap over examples: resample with replacement, recompute the statistic, take the
 * 2.5th and 97.5th percentiles. Seeded, so the same inputs always give the same interval. A
 * statistic may return NaN for a resample where it is undefined (e.g. no red-team case drawn);
 * such resamples are left out.
 */
public final class Bootstrap {

    private final int resamples;
    private final long seed;

    public Bootstrap(int resamples, long seed) {
        if (resamples < 100) {
            throw new IllegalArgumentException("use at least 100 resamples, got " + resamples);
        }
        this.resamples = resamples;
        this.seed = seed;
    }

    public static Bootstrap standard() {
        return new Bootstrap(1000, 20240517L);
    }

    public <T> Estimate estimate(String metric, List<T> items, ToDoubleFunction<List<T>> statistic) {
        double value = statistic.applyAsDouble(items);
        double[] draws = draws(items.size(), idx -> statistic.applyAsDouble(pick(items, idx)));
        return new Estimate(metric, value, percentile(draws, 0.025), percentile(draws, 0.975), items.size());
    }

    /** Paired: both lists are resampled with the same indices, and the interval is of {@code b − a}. */
    public <T> Estimate difference(String metric, List<T> a, List<T> b, ToDoubleFunction<List<T>> statistic) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("paired bootstrap needs equal sizes, got " + a.size() + " and " + b.size());
        }
        double value = statistic.applyAsDouble(b) - statistic.applyAsDouble(a);
        double[] draws = draws(a.size(), idx -> statistic.applyAsDouble(pick(b, idx)) - statistic.applyAsDouble(pick(a, idx)));
        return new Estimate(metric, value, percentile(draws, 0.025), percentile(draws, 0.975), a.size());
    }

    private interface Draw {
        double of(int[] indices);
    }

    private double[] draws(int n, Draw draw) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[resamples];
        int kept = 0;
        for (int r = 0; r < resamples; r++) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = random.nextInt(n);
            }
            double v = draw.of(idx);
            if (!Double.isNaN(v)) {
                out[kept++] = v;
            }
        }
        double[] valid = Arrays.copyOf(out, kept);
        Arrays.sort(valid);
        return valid;
    }

    private static <T> List<T> pick(List<T> items, int[] idx) {
        List<T> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(items.get(i));
        }
        return out;
    }

    /** Linear interpolation between closest ranks (numpy's default). */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}

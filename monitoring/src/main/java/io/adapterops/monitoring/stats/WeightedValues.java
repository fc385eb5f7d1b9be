package io.adapterops.monitoring.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A one-dimensional distribution as sorted values with weights: either raw observations (weight 1
 * each) or a histogram's bins (each bin's mean value weighted by its count). The distance
 * statistics take this form so that they run unchanged on raw samples, as scipy does, and on the
 * bounded sketches a live window keeps.
 */
public record WeightedValues(double[] values, double[] weights) {

    public WeightedValues {
        if (values.length != weights.length) {
            throw new IllegalArgumentException("values and weights differ in length: " + values.length + " vs "
                    + weights.length);
        }
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[i - 1]) {
                throw new IllegalArgumentException("values must be sorted ascending");
            }
        }
    }

    public static WeightedValues of(double... sample) {
        double[] sorted = sample.clone();
        Arrays.sort(sorted);
        double[] ones = new double[sorted.length];
        Arrays.fill(ones, 1.0);
        return new WeightedValues(sorted, ones);
    }

    public static WeightedValues of(double[] values, double[] weights) {
        Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] v = new double[values.length];
        double[] w = new double[values.length];
        for (int k = 0; k < order.length; k++) {
            v[k] = values[order[k]];
            w[k] = weights[order[k]];
        }
        return new WeightedValues(v, w);
    }

    public double totalWeight() {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        return total;
    }

    public boolean isEmpty() {
        return totalWeight() <= 0;
    }

    public double min() {
        return values[0];
    }

    public double max() {
        return values[values.length - 1];
    }

    public double mean() {
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[i] * weights[i];
        }
        return sum / totalWeight();
    }

    /** Standard deviation with divisor N, as numpy's {@code np.std} (ddof = 0). */
    public double populationStd() {
        double mean = mean();
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            double d = values[i] - mean;
            sum += weights[i] * d * d;
        }
        return Math.sqrt(sum / totalWeight());
    }

    public int distinctCount() {
        int distinct = 0;
        double last = Double.NaN;
        for (int i = 0; i < values.length; i++) {
            if (weights[i] > 0 && !(values[i] == last)) {
                distinct++;
                last = values[i];
            }
        }
        return distinct;
    }
}

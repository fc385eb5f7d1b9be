package io.adapterops.evaluator.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Response length statistics in characters (code points, so a Chinese reply is not counted by its
 * UTF-16 units). Percentiles use linear interpolation between closest ranks, as numpy's default.
 */
public record LengthStats(int count, double mean, int min, double p50, double p95, int max) {

    public static LengthStats of(List<String> responses) {
        if (responses.isEmpty()) {
            throw new IllegalArgumentException("length statistics need at least one response");
        }
        int[] lengths = responses.stream().mapToInt(r -> r.codePointCount(0, r.length())).sorted().toArray();
        double mean = Arrays.stream(lengths).average().orElse(0);
        return new LengthStats(lengths.length, mean, lengths[0], percentile(lengths, 0.5), percentile(lengths, 0.95),
                lengths[lengths.length - 1]);
    }

    static double percentile(int[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}

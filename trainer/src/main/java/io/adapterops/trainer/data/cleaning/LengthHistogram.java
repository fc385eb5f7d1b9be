package io.adapterops.trainer.data.cleaning;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Row lengths in tokens, in power-of-two buckets named by their range ("16-31"), so short and long
 * tails stay visible however the data is spread.
 */
public record LengthHistogram(int rows, int minTokens, int maxTokens, double meanTokens,
                              Map<String, Integer> buckets) {

    public LengthHistogram {
        buckets = Collections.unmodifiableMap(new LinkedHashMap<>(buckets));
    }

    /** Row lengths counted one at a time, in the order rows stream past. */
    static final class Builder {
        private final int[] counts = new int[32];
        private int rows;
        private int min = Integer.MAX_VALUE;
        private int max;
        private long total;

        void add(int tokens) {
            counts[tokens == 0 ? 0 : 32 - Integer.numberOfLeadingZeros(tokens)]++;
            rows++;
            min = Math.min(min, tokens);
            max = Math.max(max, tokens);
            total += tokens;
        }

        LengthHistogram build() {
            Map<String, Integer> buckets = new LinkedHashMap<>();
            for (int b = 0; b < counts.length; b++) {
                if (counts[b] > 0) {
                    buckets.put(b == 0 ? "0" : (1 << (b - 1)) + "-" + ((1 << b) - 1), counts[b]);
                }
            }
            return new LengthHistogram(rows, rows == 0 ? 0 : min, max, rows == 0 ? 0 : (double) total / rows, buckets);
        }
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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

    static LengthHistogram of(List<Example> rows, TokenCounter tokens) {
        int[] counts = new int[32];
        int min = rows.isEmpty() ? 0 : Integer.MAX_VALUE;
        int max = 0;
        long total = 0;
        for (Example e : rows) {
            int n = tokens.count(e.text());
            counts[n == 0 ? 0 : 32 - Integer.numberOfLeadingZeros(n)]++;
            min = Math.min(min, n);
            max = Math.max(max, n);
            total += n;
        }
        Map<String, Integer> buckets = new LinkedHashMap<>();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0) {
                buckets.put(b == 0 ? "0" : (1 << (b - 1)) + "-" + ((1 << b) - 1), counts[b]);
            }
        }
        return new LengthHistogram(rows.size(), min, max, rows.isEmpty() ? 0 : (double) total / rows.size(), buckets);
    }
}

package io.adapterops.monitoring.drift;

import java.util.Arrays;
import java.util.List;

/** Counts over a fixed list of categories; mergeable, bounded by the number of categories. Not thread-safe. */
public final class CategoricalSketch {

    private final List<String> categories;
    private final long[] counts;

    public CategoricalSketch(List<String> categories) {
        this.categories = List.copyOf(categories);
        this.counts = new long[categories.size()];
    }

    public void add(int category, long times) {
        counts[category] += times;
    }

    public void merge(CategoricalSketch other) {
        if (!categories.equals(other.categories)) {
            throw new IllegalArgumentException("cannot merge counts over different categories");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    public void clear() {
        Arrays.fill(counts, 0);
    }

    public List<String> categories() {
        return categories;
    }

    public long[] counts() {
        return counts.clone();
    }

    public long total() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }
}

package io.adapterops.monitoring.drift;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A uniform random sample of at most {@code capacity} values from a stream, mergeable across
 * streams: each value gets a random key and the sample keeps the values with the smallest keys
 * (a bottom-k sample). Merging keeps the smallest keys of both, which is again a uniform sample of
 * the union. Seeded, so the same stream gives the same sample. Not thread-safe.
 */
public final class Reservoir {

    public static final int DEFAULT_CAPACITY = 1_000;

    private final int capacity;
    private final SplittableRandom random;
    // max-heap on keys: the root is the key a new value must beat
    private final double[] keys;
    private final double[] values;
    private int size;

    public Reservoir(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("reservoir capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.random = new SplittableRandom(seed);
        this.keys = new double[capacity];
        this.values = new double[capacity];
    }

    public void add(double value) {
        offer(random.nextDouble(), value);
    }

    public void merge(Reservoir other) {
        for (int i = 0; i < other.size; i++) {
            offer(other.keys[i], other.values[i]);
        }
    }

    void offer(double key, double value) {
        if (size < capacity) {
            keys[size] = key;
            values[size] = value;
            siftUp(size++);
        } else if (key < keys[0]) {
            keys[0] = key;
            values[0] = value;
            siftDown(0);
        }
    }

    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public double[] values() {
        return Arrays.copyOf(values, size);
    }

    double[] keys() {
        return Arrays.copyOf(keys, size);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (keys[parent] >= keys[i]) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int largest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && keys[left] > keys[largest]) {
                largest = left;
            }
            if (right < size && keys[right] > keys[largest]) {
                largest = right;
            }
            if (largest == i) {
                return;
            }
            swap(i, largest);
            i = largest;
        }
    }

    private void swap(int a, int b) {
        double k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        double v = values[a];
        values[a] = values[b];
        values[b] = v;
    }
}

package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every running row of the {@link InferenceEngine}, one array per layer with a
 * slot per row, padded to a common capacity:
 *
 * <pre>
 *   keys[layer], values[layer]   (slots, kvHeads, capacity, headDim)
 *   row i lives in slot i (rows are kept packed: a leaving row's slot takes the last row)
 * </pre>
 *
 * A decode step writes each row's new key at that row's own position (one indexed write per layer)
 * and attends over the view {@code [0:rows, :, 0:longest]} with the positions past each row's end
 * masked out, so rows of different lengths share one batched matmul with no copy. Memory is rows ×
 * capacity, which the engine sizes to the longest length any running row has reserved (and keeps
 * within its budget before admitting a request). Lives on the scheduler thread; arrays are freed on
 * resize and on close.
 */
final class BatchKvCache implements AutoCloseable {

    private final NDManager manager;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int slots;
    private int capacity;

    BatchKvCache(NDManager parent, LlamaConfig c) {
        this.manager = parent.newSubManager();
        this.layers = c.numHiddenLayers();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Bytes one cached position of one row takes over all layers (keys and values, f32). */
    static long bytesPerPosition(LlamaConfig c) {
        return 2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * 4;
    }

    int slots() {
        return slots;
    }

    int capacity() {
        return capacity;
    }

    long bytes() {
        return (long) slots * capacity * 2L * layers * kvHeads * headDim * 4;
    }

    /**
     * Reallocates to exactly {@code newSlots × newCapacity}, keeping the first {@code keepRows} rows'
     * first {@code keepLength} positions. Call outside any step scope.
     */
    void resize(int newSlots, int newCapacity, int keepRows, int keepLength) {
        if (newSlots == slots && newCapacity == capacity) {
            return;
        }
        for (int l = 0; l < layers; l++) {
            keys[l] = copy(keys[l], newSlots, newCapacity, keepRows, keepLength);
            values[l] = copy(values[l], newSlots, newCapacity, keepRows, keepLength);
        }
        slots = newSlots;
        capacity = newCapacity;
    }

    private NDArray copy(NDArray old, int newSlots, int newCapacity, int keepRows, int keepLength) {
        NDArray fresh = manager.zeros(new Shape(newSlots, kvHeads, newCapacity, headDim));
        NDScope.unregister(fresh); // long-lived even if a step scope is open
        if (old != null) {
            if (keepRows > 0 && keepLength > 0) {
                String part = "0:" + keepRows + ", :, 0:" + keepLength + ", :";
                try (NDArray src = old.get(new NDIndex(part))) {
                    fresh.set(new NDIndex(part), src);
                }
            }
            old.close();
        }
        return fresh;
    }

    /** Writes a prefilled row: k, v (1, kvHeads, t, headDim) into {@code slot}'s positions [0, t). */
    void writePrompt(int layer, int slot, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        NDIndex at = new NDIndex(slot + ", :, 0:" + t + ", :");
        keys[layer].set(at, k.squeeze(0));
        values[layer].set(at, v.squeeze(0));
    }

    /**
     * Writes one new position per row: k, v (rows, kvHeads, 1, headDim) at slot {@code rowIdx[i]},
     * position {@code posIdx[i]} (both int64 (rows)).
     */
    void writeStep(int layer, NDArray rowIdx, NDArray posIdx, NDArray k, NDArray v) {
        NDIndex at = new NDIndex("{}, :, {}", rowIdx, posIdx); // selects (rows, kvHeads, headDim)
        keys[layer].set(at, k.squeeze(2));
        values[layer].set(at, v.squeeze(2));
    }

    /** Views (rows, kvHeads, length, headDim) of the first {@code rows} slots; keys then values. */
    NDArray keys(int layer, int rows, int length) {
        return keys[layer].get(new NDIndex("0:" + rows + ", :, 0:" + length + ", :"));
    }

    NDArray values(int layer, int rows, int length) {
        return values[layer].get(new NDIndex("0:" + rows + ", :, 0:" + length + ", :"));
    }

    /** Copies slot {@code from}'s first {@code length} positions into slot {@code to} (packing after a row leaves). */
    void move(int from, int to, int length) {
        if (from == to || length == 0) {
            return;
        }
        String src = from + ", :, 0:" + length + ", :";
        String dst = to + ", :, 0:" + length + ", :";
        for (int l = 0; l < layers; l++) {
            try (NDArray k = keys[l].get(new NDIndex(src)); NDArray v = values[l].get(new NDIndex(src))) {
                keys[l].set(new NDIndex(dst), k);
                values[l].set(new NDIndex(dst), v);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

package io.adapterops.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Which rows each micro-batch holds: every epoch is a fresh seeded shuffle, and micro-batch
 * {@code g} (counted over the whole run) is a pure function of the seed and g. The data position
 * saved in a checkpoint is therefore just the next g, and a resumed run sees the same batches.
 */
final class DataOrder {

    private final int rows;
    private final int batchSize;
    private final long seed;

    DataOrder(int rows, int batchSize, long seed) {
        this.rows = rows;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    int batchesPerEpoch() {
        return (rows + batchSize - 1) / batchSize;
    }

    /** The row indices of micro-batch {@code g}. */
    List<Integer> batch(long g) {
        int epoch = (int) (g / batchesPerEpoch());
        int k = (int) (g % batchesPerEpoch());
        int[] order = shuffled(epoch);
        List<Integer> out = new ArrayList<>();
        for (int i = k * batchSize; i < Math.min(rows, (k + 1) * batchSize); i++) {
            out.add(order[i]);
        }
        return out;
    }

    private int[] shuffled(int epoch) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        Random rnd = new Random(seed * 1_000_003L + epoch);
        for (int i = rows - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

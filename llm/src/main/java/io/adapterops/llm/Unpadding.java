package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Sequences of different lengths held end to end, n tokens in all, and the two gathers between
 * that layout and the right-padded one (rows, width) that attention needs. Every layer but
 * attention works token by token, so it runs on the n real tokens and skips the padding a batch
 * would carry (11% of the positions of the bench's packed batches).
 *
 * <p>A padded position takes a copy of its row's last real token: causal attention never lets a
 * real query see a key after it, so those copies reach no real output, and {@link #unpad} drops
 * their own outputs.
 */
record Unpadding(int rows, int width, NDArray toPadded, NDArray toReal) {

    static Unpadding of(NDManager m, int[] lengths) {
        int width = 0;
        int n = 0;
        for (int len : lengths) {
            if (len < 1) {
                throw new IllegalArgumentException("a sequence has no tokens");
            }
            width = Math.max(width, len);
            n += len;
        }
        long[] toPadded = new long[lengths.length * width]; // padded position → its token in the flat layout
        long[] toReal = new long[n];                        // flat token → its padded position
        int start = 0;
        for (int r = 0; r < lengths.length; r++) {
            for (int j = 0; j < width; j++) {
                toPadded[r * width + j] = start + Math.min(j, lengths[r] - 1);
            }
            for (int j = 0; j < lengths[r]; j++) {
                toReal[start + j] = (long) r * width + j;
            }
            start += lengths[r];
        }
        return new Unpadding(lengths.length, width, m.create(toPadded), m.create(toReal));
    }

    /** (n, features) → (rows · width, features). */
    NDArray pad(NDArray flat) {
        return flat.get(toPadded);
    }

    /** (rows · width, features) → (n, features). */
    NDArray unpad(NDArray padded) {
        return padded.get(toReal);
    }
}

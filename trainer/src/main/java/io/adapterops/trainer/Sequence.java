package io.adapterops.trainer;

import java.util.Arrays;

/**
 * A tokenized training sequence: {@code trained[j]} is true where token j is one the model learns
 * to produce (an assistant reply and its end-of-turn marker), false for prompt, system and padding.
 */
public record Sequence(int[] ids, boolean[] trained) {

    public Sequence {
        if (ids.length != trained.length) {
            throw new IllegalArgumentException("ids and mask differ in length");
        }
    }

    public int length() {
        return ids.length;
    }

    /** Tokens that carry loss: trained tokens after the first (token 0 has no prediction). */
    public int trainedCount() {
        int n = 0;
        for (int j = 1; j < trained.length; j++) {
            n += trained[j] ? 1 : 0;
        }
        return n;
    }

    /** This sequence followed by {@code next}. */
    public Sequence concat(Sequence next) {
        int[] i = Arrays.copyOf(ids, ids.length + next.ids.length);
        boolean[] t = Arrays.copyOf(trained, i.length);
        System.arraycopy(next.ids, 0, i, ids.length, next.ids.length);
        System.arraycopy(next.trained, 0, t, ids.length, next.trained.length);
        return new Sequence(i, t);
    }
}

package io.adapterops.trainer.data.cleaning;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MinHash signatures by one permutation hashing with optimal densification (Li, Owen and Zhang
 * 2012; Shrivastava 2017): each shingle is hashed once, the hash picks one of {@code permutations}
 * bins and its other bits compete for that bin's minimum; an empty bin borrows the minimum of a
 * filled bin chosen by a hash of its own index, so two rows still agree at one position with
 * probability equal to their Jaccard similarity. Cost is one hash per shingle plus the bins, not
 * one per shingle and bin: this is most of the cost of cleaning a large upload.
 */
final class MinHash {
    private final int bins;
    private final long seed;

    MinHash(int permutations, long seed) {
        if (permutations < 1) {
            throw new IllegalArgumentException("permutations must be at least 1: " + permutations);
        }
        this.bins = permutations;
        this.seed = new SplittableRandom(seed).nextLong();
    }

    int permutations() {
        return bins;
    }

    int[] signature(long[] shingles) {
        int[] sig = new int[bins];
        Arrays.fill(sig, Integer.MAX_VALUE);
        boolean[] filled = new boolean[bins];
        int filledCount = 0;
        for (long s : shingles) {
            long h = mix(s ^ seed);
            int bin = bin(h);
            int value = (int) h;
            if (!filled[bin]) {
                filled[bin] = true;
                filledCount++;
            }
            if (value < sig[bin]) {
                sig[bin] = value;
            }
        }
        if (filledCount == 0) {
            return sig;
        }
        for (int i = 0; i < bins; i++) {
            if (filled[i]) {
                continue;
            }
            for (long attempt = 1; ; attempt++) {
                int from = bin(mix(seed ^ ((long) i << 32 | attempt)));
                if (filled[from]) {
                    sig[i] = sig[from];
                    break;
                }
            }
        }
        return sig;
    }

    /** The upper 32 bits of a hash mapped onto [0, bins) without division. */
    private int bin(long h) {
        return (int) (((h >>> 32) * bins) >>> 32);
    }

    /** SplitMix64's finaliser: a bijection on 64 bits that scrambles every input bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Exact Jaccard similarity of two sorted sets of distinct hashes. */
    static double jaccard(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        int union = a.length + b.length - common;
        return union == 0 ? 1.0 : (double) common / union;
    }
}

package io.adapterops.trainer.data.cleaning;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MinHash signatures: for each of {@code permutations} seeded hash functions, the least hash over
 * a row's shingles. Two rows agree at one position with probability equal to their Jaccard
 * similarity.
 */
final class MinHash {
    private final long[] seeds;

    MinHash(int permutations, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        seeds = new long[permutations];
        for (int i = 0; i < permutations; i++) {
            seeds[i] = random.nextLong();
        }
    }

    long[] signature(long[] shingles) {
        long[] sig = new long[seeds.length];
        Arrays.fill(sig, Long.MAX_VALUE);
        for (long s : shingles) {
            for (int i = 0; i < seeds.length; i++) {
                long h = mix(s ^ seeds[i]);
                if (h < sig[i]) {
                    sig[i] = h;
                }
            }
        }
        return sig;
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

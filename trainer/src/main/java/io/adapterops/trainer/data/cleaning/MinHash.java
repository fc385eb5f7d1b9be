package io.adapterops.trainer.data.cleaning;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MinHash signatures: for each of {@code permutations} seeded hash functions, the least hash over
 * a row's shingles. Two rows agree at one position with probability equal to their Jaccard
 * similarity. The hash functions are 32-bit (murmur3's finaliser over the shingle xor a seed) so
 * that the inner loop over permutations runs on vector lanes: this loop is most of the cost of
 * cleaning a large upload.
 */
final class MinHash {
    private final int[] seeds;

    MinHash(int permutations, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        seeds = new int[permutations];
        for (int i = 0; i < permutations; i++) {
            seeds[i] = random.nextInt();
        }
    }

    int permutations() {
        return seeds.length;
    }

    int[] signature(long[] shingles) {
        int[] sig = new int[seeds.length];
        Arrays.fill(sig, Integer.MAX_VALUE);
        for (long s : shingles) {
            int x = (int) (s ^ (s >>> 32));
            for (int i = 0; i < sig.length; i++) {
                int h = x ^ seeds[i];
                h = (h ^ (h >>> 16)) * 0x85ebca6b;
                h = (h ^ (h >>> 13)) * 0xc2b2ae35;
                h ^= h >>> 16;
                sig[i] = Math.min(sig[i], h);
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

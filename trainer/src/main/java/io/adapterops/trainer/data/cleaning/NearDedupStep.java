package io.adapterops.trainer.data.cleaning;

import java.util.Arrays;

/**
 * Removes rows whose shingle set has Jaccard similarity at or above the threshold with an earlier
 * kept row, in time linear in the rows:
 * <ul>
 *   <li>each row is shingled and signed once ({@link #sign}, on any thread);</li>
 *   <li>a row whose shingle set equals a kept row's is removed by hash, without any comparison;</li>
 *   <li>LSH bands find candidates, and each band bucket is represented by the first kept row that
 *       fell into it, so a row is checked against at most one row per band (never against every
 *       row of a bucket crowded by a shared template);</li>
 *   <li>a candidate is compared by signature first; only one whose estimated similarity is near the
 *       threshold is confirmed on exact shingle sets, so no row below the threshold is removed.</li>
 * </ul>
 * Memory per kept row is a one-byte-per-permutation signature and one bucket entry per band; the
 * kept texts go to {@link KeptTexts} (a file, for uploads), read back only to confirm a candidate.
 * The price of one representative per bucket: a near-duplicate that collides with its original only in buckets represented by some third row is
 * kept. Natural text rarely shares buckets between distinct rows, so this matters only for rows
 * built from one template.
 */
final class NearDedupStep {
    /** About six standard errors of the one-byte signature estimate at 128 permutations. */
    private static final double CONFIRM_MARGIN = 0.2;

    private final double threshold;
    private final Shingler shingler;
    private final MinHash minHash;
    private final LshBands bands;
    private final KeptTexts texts;
    private final int k;
    private final BucketIndex buckets = new BucketIndex(1 << 16);
    private final LongSet shingleSets = new LongSet(1 << 14);
    private byte[] keptSigs;
    private int kept;
    private int candidatesChecked;
    private int shingleChecks;
    private int identical;

    /** @param texts where the kept rows' texts go, to confirm a near-duplicate on exact shingles */
    NearDedupStep(double threshold, ShingleMode mode, int shingleSize, int permutations, long seed, KeptTexts texts) {
        this.threshold = threshold;
        this.shingler = new Shingler(mode, shingleSize);
        this.minHash = new MinHash(permutations, seed);
        this.bands = LshBands.choose(threshold, permutations);
        this.texts = texts;
        this.k = permutations;
        this.keptSigs = new byte[1024 * k];
    }

    String name() {
        return "near_dedup";
    }

    /** What is computed once per row; {@link #sign} may run on any thread. */
    record Signed(long[] shingles, long setHash, byte[] sig, int[] keys) {
    }

    /** Whether the row stays: called once per row, in row order. */
    boolean keep(Signed s, String text, StepTally tally) {
        if (shingleSets.contains(s.setHash())) {
            identical++;
            tally.removed();
            return false;
        }
        for (int candidate : candidates(s.keys(), buckets)) {
            candidatesChecked++;
            if (estimate(s.sig(), keptSigs, candidate * k) < threshold - CONFIRM_MARGIN) {
                continue;
            }
            shingleChecks++;
            if (MinHash.jaccard(s.shingles(), shingler.shingles(texts.get(candidate))) >= threshold) {
                tally.removed();
                return false;
            }
        }
        int index = kept++;
        for (int key : s.keys()) {
            buckets.putIfAbsent(key, index);
        }
        shingleSets.add(s.setHash());
        if ((index + 1) * k > keptSigs.length) {
            keptSigs = Arrays.copyOf(keptSigs, Math.max(keptSigs.length * 2, (index + 1) * k));
        }
        System.arraycopy(s.sig(), 0, keptSigs, index * k, k);
        texts.add(text);
        return true;
    }

    void finish(StepTally tally) {
        tally.count("bands", bands.bands());
        tally.count("rows_per_band", bands.rows());
        tally.count("candidates_checked", candidatesChecked);
        tally.count("shingle_checks", shingleChecks);
        tally.count("identical_shingles", identical);
    }

    Signed sign(String text) {
        long[] shingles = shingler.shingles(text);
        int[] sig = minHash.signature(shingles);
        byte[] low = new byte[sig.length];
        for (int i = 0; i < sig.length; i++) {
            low[i] = (byte) sig[i];
        }
        long setHash = shingles.length;
        for (long sh : shingles) {
            setHash = MinHash.mix(setHash ^ sh);
        }
        return new Signed(shingles, setHash, low, bandKeys(sig));
    }

    /** One 32-bit key per band; the band's index is mixed in, so one table serves all bands. */
    private int[] bandKeys(int[] sig) {
        int[] keys = new int[bands.bands()];
        for (int b = 0; b < keys.length; b++) {
            long h = b;
            for (int i = b * bands.rows(); i < (b + 1) * bands.rows(); i++) {
                h = MinHash.mix(h ^ sig[i]);
            }
            keys[b] = (int) (h ^ (h >>> 32));
        }
        return keys;
    }

    /** The distinct representatives of the row's buckets, earliest first. */
    private static int[] candidates(int[] keys, BucketIndex buckets) {
        int[] found = new int[keys.length];
        int n = 0;
        for (int key : keys) {
            int rep = buckets.get(key);
            if (rep >= 0) {
                found[n++] = rep;
            }
        }
        if (n == 0) {
            return new int[0];
        }
        Arrays.sort(found, 0, n);
        int distinct = 1;
        for (int i = 1; i < n; i++) {
            if (found[i] != found[distinct - 1]) {
                found[distinct++] = found[i];
            }
        }
        return Arrays.copyOf(found, distinct);
    }

    /**
     * Jaccard similarity estimated from the low bytes of two signatures. Unequal minima still agree
     * on their low byte one time in 256; the estimate takes that chance out.
     */
    private static double estimate(byte[] sig, byte[] kept, int offset) {
        int same = 0;
        for (int i = 0; i < sig.length; i++) {
            if (sig[i] == kept[offset + i]) {
                same++;
            }
        }
        double agreement = (double) same / sig.length;
        return (agreement - 1.0 / 256) / (1 - 1.0 / 256);
    }

    /** Open-addressing map from a bucket key to the first kept row in it; memory is two ints a slot. */
    private static final class BucketIndex {
        private int[] keys;
        private int[] values;
        private int size;

        BucketIndex(int expected) {
            int capacity = Integer.highestOneBit(Math.max(16, expected * 4 / 3)) << 1;
            keys = new int[capacity];
            values = new int[capacity];
        }

        int get(int key) {
            key = key == 0 ? 1 : key;
            int mask = keys.length - 1;
            for (int slot = spread(key) & mask; keys[slot] != 0; slot = (slot + 1) & mask) {
                if (keys[slot] == key) {
                    return values[slot];
                }
            }
            return -1;
        }

        void putIfAbsent(int key, int value) {
            key = key == 0 ? 1 : key;
            int mask = keys.length - 1;
            int slot = spread(key) & mask;
            for (; keys[slot] != 0; slot = (slot + 1) & mask) {
                if (keys[slot] == key) {
                    return;
                }
            }
            keys[slot] = key;
            values[slot] = value;
            if (++size * 4 > keys.length * 3) {
                grow();
            }
        }

        private void grow() {
            int[] oldKeys = keys;
            int[] oldValues = values;
            keys = new int[oldKeys.length * 2];
            values = new int[oldKeys.length * 2];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != 0) {
                    putIfAbsent(oldKeys[i], oldValues[i]);
                }
            }
        }

        /** Keys are already mixed hashes, so their low bits place them well. */
        private static int spread(int key) {
            return key;
        }
    }

    /** Open-addressing set of 64-bit hashes; 0 marks a free slot, so the value 0 is kept as a flag. */
    private static final class LongSet {
        private long[] slots;
        private boolean hasZero;
        private int size;

        LongSet(int expected) {
            slots = new long[Integer.highestOneBit(Math.max(16, expected * 2)) << 1];
        }

        boolean contains(long v) {
            if (v == 0) {
                return hasZero;
            }
            int mask = slots.length - 1;
            for (int slot = (int) MinHash.mix(v) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
                if (slots[slot] == v) {
                    return true;
                }
            }
            return false;
        }

        void add(long v) {
            if (v == 0) {
                hasZero = true;
                return;
            }
            int mask = slots.length - 1;
            int slot = (int) MinHash.mix(v) & mask;
            for (; slots[slot] != 0; slot = (slot + 1) & mask) {
                if (slots[slot] == v) {
                    return;
                }
            }
            slots[slot] = v;
            if (++size * 2 > slots.length) {
                long[] old = slots;
                slots = new long[old.length * 2];
                size = 0;
                for (long o : old) {
                    if (o != 0) {
                        add(o);
                    }
                }
            }
        }
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Removes rows whose shingle set has Jaccard similarity at or above the threshold with an earlier
 * kept row, in time linear in the rows:
 * <ul>
 *   <li>each row is shingled and signed once (in parallel, a chunk at a time);</li>
 *   <li>a row whose shingle set equals a kept row's is removed by hash, without any comparison;</li>
 *   <li>LSH bands find candidates, and each band bucket is represented by the first kept row that
 *       fell into it, so a row is checked against at most one row per band (never against every
 *       row of a bucket crowded by a shared template);</li>
 *   <li>a candidate is compared by signature first; only one whose estimated similarity is near the
 *       threshold is confirmed on exact shingle sets, so no row below the threshold is removed.</li>
 * </ul>
 * Memory per kept row is a one-byte-per-permutation signature and one bucket entry per band; the
 * texts are not held beyond the rows themselves. The price of one representative per bucket: a
 * near-duplicate that collides with its original only in buckets represented by some third row is
 * kept. Natural text rarely shares buckets between distinct rows, so this matters only for rows
 * built from one template.
 */
final class NearDedupStep implements CleaningStep {
    /** About six standard errors of the one-byte signature estimate at 128 permutations. */
    private static final double CONFIRM_MARGIN = 0.2;
    private static final int CHUNK = 4096;

    private final double threshold;
    private final Shingler shingler;
    private final MinHash minHash;
    private final LshBands bands;

    NearDedupStep(double threshold, ShingleMode mode, int shingleSize, int permutations, long seed) {
        this.threshold = threshold;
        this.shingler = new Shingler(mode, shingleSize);
        this.minHash = new MinHash(permutations, seed);
        this.bands = LshBands.choose(threshold, permutations);
    }

    @Override
    public String name() {
        return "near_dedup";
    }

    /** What is computed once per row. */
    private record Signed(long[] shingles, long setHash, byte[] sig, int[] keys) {
    }

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        int k = minHash.permutations();
        BucketIndex buckets = new BucketIndex(Math.min(rows.size(), 1 << 20) * bands.bands());
        LongSet shingleSets = new LongSet(Math.min(rows.size(), 1 << 20));
        byte[] keptSigs = new byte[Math.min(rows.size(), CHUNK) * k];
        List<Example> kept = new ArrayList<>();
        int candidatesChecked = 0;
        int shingleChecks = 0;
        int identical = 0;
        for (int from = 0; from < rows.size(); from += CHUNK) {
            int to = Math.min(rows.size(), from + CHUNK);
            Signed[] signed = IntStream.range(from, to).parallel()
                    .mapToObj(i -> sign(rows.get(i).text())).toArray(Signed[]::new);
            for (int i = from; i < to; i++) {
                Signed s = signed[i - from];
                if (shingleSets.contains(s.setHash())) {
                    identical++;
                    tally.removed();
                    continue;
                }
                boolean duplicate = false;
                for (int candidate : candidates(s.keys(), buckets)) {
                    candidatesChecked++;
                    if (estimate(s.sig(), keptSigs, candidate * k) < threshold - CONFIRM_MARGIN) {
                        continue;
                    }
                    shingleChecks++;
                    long[] other = shingler.shingles(kept.get(candidate).text());
                    if (MinHash.jaccard(s.shingles(), other) >= threshold) {
                        duplicate = true;
                        break;
                    }
                }
                if (duplicate) {
                    tally.removed();
                    continue;
                }
                int index = kept.size();
                for (int key : s.keys()) {
                    buckets.putIfAbsent(key, index);
                }
                shingleSets.add(s.setHash());
                if ((index + 1) * k > keptSigs.length) {
                    keptSigs = Arrays.copyOf(keptSigs, Math.max(keptSigs.length * 2, (index + 1) * k));
                }
                System.arraycopy(s.sig(), 0, keptSigs, index * k, k);
                kept.add(rows.get(i));
            }
        }
        tally.count("bands", bands.bands());
        tally.count("rows_per_band", bands.rows());
        tally.count("candidates_checked", candidatesChecked);
        tally.count("shingle_checks", shingleChecks);
        tally.count("identical_shingles", identical);
        return kept;
    }

    private Signed sign(String text) {
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

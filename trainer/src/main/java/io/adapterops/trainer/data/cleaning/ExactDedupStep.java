package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps the first of rows whose normalised text is identical; holds only 128 bits of its SHA-256,
 * a count and a row number per distinct row. A row repeated many times is collapsed all the same,
 * but with a warning: a file that is mostly one row is more likely a broken export than a dataset.
 */
final class ExactDedupStep {
    static final int WARN_AT_COPIES = 100;

    private final SeenHashes seen = new SeenHashes();
    /** Rows repeated at least {@link #WARN_AT_COPIES} times. */
    private final List<Frequent> frequent = new ArrayList<>();
    private int kept;

    String name() {
        return "exact_dedup";
    }

    /** @param sha256 the SHA-256 of the row's text */
    boolean keep(byte[] sha256, Example row, StepTally tally) {
        long hi = SeenHashes.high(sha256);
        long lo = SeenHashes.low(sha256);
        int copies = seen.increment(seen.add(hi, lo, kept));
        if (copies == WARN_AT_COPIES) {
            // Identical text, so this copy shows what the kept row shows.
            frequent.add(new Frequent(hi, lo, preview(row)));
        }
        if (copies > 1) {
            tally.removed();
            return false;
        }
        kept++;
        return true;
    }

    void finish(StepTally tally) {
        frequent.stream()
                .map(f -> new Object[]{seen.add(f.hi(), f.lo(), -1), f.preview()})
                .sorted(Comparator.comparingInt((Object[] f) -> -seen.count((int) f[0])))
                .limit(5)
                .forEach(f -> tally.warn(String.format("%,d identical copies of one row collapsed to one (kept as row %d: %s)",
                        seen.count((int) f[0]), seen.row((int) f[0]) + 1, f[1])));
    }

    private record Frequent(long hi, long lo, String preview) {
    }

    static String preview(Example e) {
        String prompt = e.lastPrompt().replace('\n', ' ');
        return "\"" + (prompt.length() > 60 ? prompt.substring(0, 60) + "…" : prompt) + "\"";
    }

    /** Open addressing over 128-bit hashes (collisions are out of reach at any dataset size), 24 bytes a slot. */
    private static final class SeenHashes {
        private long[] hi = new long[1 << 12];
        private long[] lo = new long[1 << 12];
        private int[] counts = new int[1 << 12];
        private int[] rows = new int[1 << 12];
        private int size;

        static long high(byte[] h) {
            return bytes(h, 0);
        }

        static long low(byte[] h) {
            return bytes(h, 8);
        }

        private static long bytes(byte[] h, int from) {
            long v = 0;
            for (int i = from; i < from + 8; i++) {
                v = v << 8 | (h[i] & 0xff);
            }
            return v;
        }

        /** The slot of the hash, inserted with {@code row} and count 0 when new. */
        int add(long h, long l, int row) {
            int mask = hi.length - 1;
            int slot = (int) (h ^ (h >>> 32)) & mask;
            for (; counts[slot] != 0; slot = (slot + 1) & mask) {
                if (hi[slot] == h && lo[slot] == l) {
                    return slot;
                }
            }
            if ((size + 1) * 4 > hi.length * 3) {
                grow();
                return add(h, l, row);
            }
            hi[slot] = h;
            lo[slot] = l;
            rows[slot] = row;
            size++;
            return slot;
        }

        int increment(int slot) {
            return ++counts[slot];
        }

        int count(int slot) {
            return counts[slot];
        }

        int row(int slot) {
            return rows[slot];
        }

        /** Only called between add and increment of a new hash, so every counted slot moves with its count. */
        private void grow() {
            long[] oldHi = hi;
            long[] oldLo = lo;
            int[] oldCounts = counts;
            int[] oldRows = rows;
            hi = new long[oldHi.length * 2];
            lo = new long[oldHi.length * 2];
            counts = new int[oldHi.length * 2];
            rows = new int[oldHi.length * 2];
            int mask = hi.length - 1;
            for (int i = 0; i < oldHi.length; i++) {
                if (oldCounts[i] != 0) {
                    int slot = (int) (oldHi[i] ^ (oldHi[i] >>> 32)) & mask;
                    while (counts[slot] != 0) {
                        slot = (slot + 1) & mask;
                    }
                    hi[slot] = oldHi[i];
                    lo[slot] = oldLo[i];
                    counts[slot] = oldCounts[i];
                    rows[slot] = oldRows[i];
                }
            }
        }
    }
}

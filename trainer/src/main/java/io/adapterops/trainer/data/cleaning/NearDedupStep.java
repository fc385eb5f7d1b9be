package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Removes rows whose shingle set has Jaccard similarity at or above the threshold with an earlier
 * kept row. MinHash + LSH finds candidates without comparing all pairs; each candidate is then
 * confirmed on the exact shingle sets, so no row below the threshold is removed.
 */
final class NearDedupStep implements CleaningStep {
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

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        List<Map<Long, List<Integer>>> buckets = new ArrayList<>();
        for (int b = 0; b < bands.bands(); b++) {
            buckets.add(new HashMap<>());
        }
        List<Example> kept = new ArrayList<>();
        int candidatesChecked = 0;
        for (Example e : rows) {
            long[] shingles = shingler.shingles(e.text());
            long[] sig = minHash.signature(shingles);
            long[] keys = bandKeys(sig);
            boolean duplicate = false;
            for (int candidate : candidates(keys, buckets)) {
                candidatesChecked++;
                if (MinHash.jaccard(shingles, shingler.shingles(kept.get(candidate).text())) >= threshold) {
                    duplicate = true;
                    break;
                }
            }
            if (duplicate) {
                tally.removed();
                continue;
            }
            for (int b = 0; b < keys.length; b++) {
                buckets.get(b).computeIfAbsent(keys[b], k -> new ArrayList<>()).add(kept.size());
            }
            kept.add(e);
        }
        tally.count("bands", bands.bands());
        tally.count("rows_per_band", bands.rows());
        tally.count("candidates_checked", candidatesChecked);
        return kept;
    }

    private long[] bandKeys(long[] sig) {
        long[] keys = new long[bands.bands()];
        for (int b = 0; b < keys.length; b++) {
            long h = b;
            for (int i = b * bands.rows(); i < (b + 1) * bands.rows(); i++) {
                h = MinHash.mix(h ^ sig[i]);
            }
            keys[b] = h;
        }
        return keys;
    }

    /** Kept rows sharing at least one band, each once, earliest first. */
    private static int[] candidates(long[] keys, List<Map<Long, List<Integer>>> buckets) {
        return IntStream.range(0, keys.length)
                .mapToObj(b -> buckets.get(b).getOrDefault(keys[b], List.of()))
                .flatMap(List::stream)
                .mapToInt(Integer::intValue)
                .sorted()
                .distinct()
                .toArray();
    }
}

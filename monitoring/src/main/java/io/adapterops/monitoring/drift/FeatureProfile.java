package io.adapterops.monitoring.drift;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Bounded sketches of every {@link Feature} over a set of prompts: the training data's reference
 * profile (stored with its DatasetVersion, see {@link ProfileJson}) and each live window's profile
 * have this same form, so they compare directly and merge. Memory is fixed (about 56 KiB) whatever
 * the number of rows. Not thread-safe: build it on one thread, or let a window guard it.
 */
public final class FeatureProfile {

    private static final List<String> UNIGRAM_CATEGORIES = unigramCategories();

    private final long seed;
    private long rows;
    private final Map<Feature, NumericSketch> numeric = new EnumMap<>(Feature.class);
    private final Map<Feature, CategoricalSketch> categorical = new EnumMap<>(Feature.class);

    /** @param seed seeds the reservoirs, so a profile built twice from the same rows is identical */
    public FeatureProfile(long seed) {
        this.seed = seed;
        numeric.put(Feature.PROMPT_TOKENS, new NumericSketch(Histogram.Bins.TOKENS, seed));
        numeric.put(Feature.RESPONSE_TOKENS, new NumericSketch(Histogram.Bins.TOKENS, seed + 1));
        categorical.put(Feature.TOKEN_UNIGRAMS, new CategoricalSketch(UNIGRAM_CATEGORIES));
        categorical.put(Feature.CJK_SHARE, new CategoricalSketch(List.of(TextFeatures.CJK_BANDS)));
    }

    /** The reference profile of a dataset: one row per prompt, with its response where there is one. */
    public static FeatureProfile ofDataset(List<String> prompts, List<String> responses) {
        if (responses != null && responses.size() != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + responses.size() + " responses");
        }
        FeatureProfile profile = new FeatureProfile(0);
        for (int i = 0; i < prompts.size(); i++) {
            profile.add(TextFeatures.of(prompts.get(i), responses == null ? null : responses.get(i)));
        }
        return profile;
    }

    public void add(TextFeatures features) {
        rows++;
        numeric.get(Feature.PROMPT_TOKENS).add(features.promptTokens());
        if (features.responseTokens() != TextFeatures.NO_RESPONSE) {
            numeric.get(Feature.RESPONSE_TOKENS).add(features.responseTokens());
        }
        CategoricalSketch unigrams = categorical.get(Feature.TOKEN_UNIGRAMS);
        int[] counts = features.unigramCounts();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] != 0) {
                unigrams.add(b, counts[b]);
            }
        }
        categorical.get(Feature.CJK_SHARE).add(features.cjkBand(), 1);
    }

    public void merge(FeatureProfile other) {
        rows += other.rows;
        numeric.forEach((f, sketch) -> sketch.merge(other.numeric.get(f)));
        categorical.forEach((f, sketch) -> sketch.merge(other.categorical.get(f)));
    }

    public void clear() {
        rows = 0;
        numeric.values().forEach(NumericSketch::clear);
        categorical.values().forEach(CategoricalSketch::clear);
    }

    public FeatureProfile copy() {
        FeatureProfile copy = new FeatureProfile(seed);
        copy.merge(this);
        return copy;
    }

    /** Prompts seen (for token unigrams the sketch counts tokens, not rows). */
    public long rows() {
        return rows;
    }

    public long seed() {
        return seed;
    }

    public NumericSketch numeric(Feature feature) {
        return require(numeric.get(feature), feature, "numeric");
    }

    public CategoricalSketch categorical(Feature feature) {
        return require(categorical.get(feature), feature, "categorical");
    }

    public Collection<Feature> features() {
        List<Feature> all = new ArrayList<>(numeric.keySet());
        all.addAll(categorical.keySet());
        return all;
    }

    void restoreRows(long restored) {
        rows += restored;
    }

    private static <T> T require(T sketch, Feature feature, String kind) {
        if (sketch == null) {
            throw new IllegalArgumentException(feature.id() + " is not a " + kind + " feature");
        }
        return sketch;
    }

    private static List<String> unigramCategories() {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < TextFeatures.UNIGRAM_BUCKETS; b++) {
            names.add("h" + b);
        }
        return List.copyOf(names);
    }
}

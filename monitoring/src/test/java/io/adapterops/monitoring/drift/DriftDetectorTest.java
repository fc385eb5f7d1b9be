package io.adapterops.monitoring.drift;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expected values were computed with scipy 1.17.1 / numpy 2.4.6 on the same data
 * (reference prompt lengths {@code 20 + (i*37 % 60)} for i < 800, live {@code 30 + (i*41 % 60)} for
 * i < 600; CJK bands 700/60/30/10 against 380/60/90/70): {@code ks_2samp(ref, cur)},
 * {@code wasserstein_distance(ref, cur) / np.std(ref)}, {@code distance.jensenshannon}, and PSI and
 * chi-squared transcribed from Evidently's {@code get_binned_data} / {@code _psi} /
 * {@code _chi_stat_test} (evidently/legacy/calculations/stattests).
 */
class DriftDetectorTest {

    static TextFeatures row(int promptTokens, int band) {
        int[] unigrams = new int[TextFeatures.UNIGRAM_BUCKETS];
        unigrams[promptTokens % TextFeatures.UNIGRAM_BUCKETS] = promptTokens;
        return new TextFeatures(promptTokens, 2 * promptTokens, band, unigrams);
    }

    /** 800 rows; {@code copies} repeats them to make a larger reference with the same distribution. */
    static FeatureProfile reference(int copies) {
        FeatureProfile profile = new FeatureProfile(7);
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < 800; i++) {
                profile.add(row(20 + (i * 37 % 60), i < 700 ? 0 : i < 760 ? 1 : i < 790 ? 2 : 3));
            }
        }
        return profile;
    }

    static FeatureProfile shiftedLive() {
        FeatureProfile profile = new FeatureProfile(8);
        for (int i = 0; i < 600; i++) {
            profile.add(row(30 + (i * 41 % 60), i < 380 ? 0 : i < 440 ? 1 : i < 530 ? 2 : 3));
        }
        return profile;
    }

    private static FeatureDrift drift(DriftReport report, Feature feature) {
        return report.features().stream().filter(d -> d.feature() == feature).findFirst().orElseThrow();
    }

    @Test
    void aSmallReferenceIsTestedWithKolmogorovSmirnovAndChiSquaredAsEvidentlyDoes() {
        DriftReport report = new DriftDetector(DriftOptions.defaults()).detect(reference(1), shiftedLive());

        FeatureDrift length = drift(report, Feature.PROMPT_TOKENS);
        assertEquals(DriftMethod.KOLMOGOROV_SMIRNOV, length.method());
        assertEquals(5.530822886325044e-09, length.statistic(), 5.530822886325044e-09 * 1e-9);
        assertEquals(1.5391772909279644, length.psi(), 1e-12);
        assertTrue(length.drifted());

        FeatureDrift cjk = drift(report, Feature.CJK_SHARE);
        assertEquals(DriftMethod.CHI_SQUARED, cjk.method());
        assertEquals(3.1152195195129856e-166, cjk.statistic(), 3.1152195195129856e-166 * 1e-9);
        assertEquals(0.473929217896476, cjk.psi(), 1e-12);
        assertTrue(cjk.methodDrifted() && cjk.psiDrifted());
        assertEquals(800, report.referenceRows());
    }

    @Test
    void aLargeReferenceIsTestedWithNormedWassersteinAndJensenShannon() {
        DriftReport report = new DriftDetector(DriftOptions.defaults()).detect(reference(2), shiftedLive());

        FeatureDrift length = drift(report, Feature.PROMPT_TOKENS);
        assertEquals(DriftMethod.WASSERSTEIN, length.method());
        assertEquals(0.5799978207592935, length.statistic(), 1e-12);
        assertEquals(0.1, length.threshold());

        FeatureDrift cjk = drift(report, Feature.CJK_SHARE);
        assertEquals(DriftMethod.JENSEN_SHANNON, cjk.method());
        assertEquals(0.23004335172228646, cjk.statistic(), 1e-12);
    }

    @Test
    void jensenShannonOnANumericFeatureUsesEvidentlysSturgesBins() {
        DriftOptions options = DriftOptions.defaults().withMethod(Feature.PROMPT_TOKENS, DriftMethod.JENSEN_SHANNON,
                null);
        FeatureDrift length = drift(new DriftDetector(options).detect(reference(1), shiftedLive()),
                Feature.PROMPT_TOKENS);
        assertEquals(0.2957762757841335, length.statistic(), 1e-12);
    }

    @Test
    void liveTrafficLikeTheReferenceDoesNotDrift() {
        DriftReport report = new DriftDetector(DriftOptions.defaults()).detect(reference(1), reference(1));
        assertTrue(report.drifted().isEmpty(), () -> report.features().toString());
        assertEquals(0.0, drift(report, Feature.PROMPT_TOKENS).psi(), 1e-12);
    }

    @Test
    void aFeaturesMethodAndThresholdCanBeOverridden() {
        DriftOptions options = DriftOptions.defaults()
                .withMethod(Feature.PROMPT_TOKENS, DriftMethod.PSI, 2.0)
                .withPsiThreshold(5.0);
        FeatureDrift length = drift(new DriftDetector(options).detect(reference(1), shiftedLive()),
                Feature.PROMPT_TOKENS);
        assertEquals(DriftMethod.PSI, length.method());
        assertEquals(1.5391772909279644, length.statistic(), 1e-12);
        assertFalse(length.drifted(), "PSI 1.54 is under both raised thresholds");
        assertThrows(IllegalArgumentException.class,
                () -> DriftOptions.defaults().withMethod(Feature.CJK_SHARE, DriftMethod.KOLMOGOROV_SMIRNOV, null));
    }

    @Test
    void theDescriptionNamesFeatureStatisticAndThreshold() {
        FeatureDrift cjk = drift(new DriftDetector(DriftOptions.defaults()).detect(reference(1), shiftedLive()),
                Feature.CJK_SHARE);
        String text = cjk.describe();
        assertTrue(text.startsWith("cjk_share: chi-squared p-value 3.115e-166 < 0.05000; PSI 0.4739 ≥ 0.2000"), text);
    }
}

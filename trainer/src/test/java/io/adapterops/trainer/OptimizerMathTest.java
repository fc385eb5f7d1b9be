package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The learning-rate schedule, global-norm clipping and the AdamW update, against hand-computed values. */
class OptimizerMathTest {

    @Test
    void learningRateWarmsUpLinearlyThenFollowsACosineToZero() {
        LrSchedule s = new LrSchedule(LrSchedule.Type.COSINE, 1e-3, 10, 110);

        assertEquals(0, s.at(0));
        assertEquals(5e-4, s.at(5), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(5e-4, s.at(60), 1e-12);          // half-way through the decay: cos(π/2)
        assertEquals(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(35), 1e-12);
        assertEquals(0, s.at(110), 1e-12);
    }

    /** Hugging Face's lambdas: linear (total − step)/(total − warmup); constant ignores warm-up. */
    @Test
    void linearAndConstantSchedulesFollowHuggingFacesFormulas() {
        LrSchedule linear = new LrSchedule(LrSchedule.Type.LINEAR, 1e-3, 10, 110);
        LrSchedule constant = new LrSchedule(LrSchedule.Type.CONSTANT, 1e-3, 10, 110);
        LrSchedule constantWarm = new LrSchedule(LrSchedule.Type.CONSTANT_WITH_WARMUP, 1e-3, 10, 110);

        assertEquals(5e-4, linear.at(5), 1e-12);
        assertEquals(1e-3, linear.at(10), 1e-12);
        assertEquals(1e-3 * 75 / 100, linear.at(35), 1e-12);   // (110 − 35) / (110 − 10)
        assertEquals(0, linear.at(110), 1e-12);
        assertEquals(1e-3, constant.at(0));
        assertEquals(1e-3, constant.at(109));
        assertEquals(3e-4, constantWarm.at(3), 1e-12);
        assertEquals(1e-3, constantWarm.at(109));
    }

    @Test
    void warmupRatioGivesTheCeilingOfItsShareOfTheStepsUnlessWarmupStepsIsSet() {
        assertEquals(2, Fixtures.config("warmup_ratio", 0.1).warmupFor(12));          // ⌈1.2⌉
        assertEquals(5, Fixtures.config("warmup_ratio", 0.1, "warmup_steps", 5).warmupFor(12));
    }

    @Test
    void clippingScalesAllGradientsTogetherToTheMaximumGlobalNorm() {
        float[] a = {3, 0};
        float[] b = {0, 4};                            // global norm 5

        double norm = GradientClipping.clip(List.of(a, b), 1.0);

        assertEquals(5.0, norm, 1e-9);
        double scale = 1.0 / (5.0 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * scale), 0}, a, 1e-7f);
        assertArrayEquals(new float[] {0, (float) (4 * scale)}, b, 1e-7f);
        assertEquals(1.0, Math.hypot(a[0], b[1]), 1e-5);
    }

    @Test
    void gradientsBelowTheMaximumNormAreLeftAlone() {
        float[] g = {0.3f, 0.4f};

        assertEquals(0.5, GradientClipping.clip(List.of(g), 1.0), 1e-7);
        assertArrayEquals(new float[] {0.3f, 0.4f}, g);
    }

    @Test
    void adamWFirstStepMovesEachWeightByTheLearningRateAndDecaysItDecoupled() {
        Map<String, long[]> shapes = Map.of("w", new long[] {1, 2});
        AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.1, shapes);
        Map<String, float[]> w = new LinkedHashMap<>(Map.of("w", new float[] {1.0f, -2.0f}));

        opt.step(w, Map.of("w", new float[] {0.5f, -3.0f}), 0.01);

        // bias-corrected m/sqrt(v) is sign(g) on step 1; decay multiplies by 1 - lr·wd first
        assertArrayEquals(new float[] {1.0f * 0.999f - 0.01f, -2.0f * 0.999f + 0.01f}, w.get("w"), 1e-6f);
        assertEquals(1, opt.steps());
    }
}

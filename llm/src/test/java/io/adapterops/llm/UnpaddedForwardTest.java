package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LlamaModel#hiddenUnpadded} against the padded forward it replaces in training: the same
 * hidden states at every real token and the same LoRA gradients, for rows of different lengths
 * (the padding copies must reach neither).
 */
class UnpaddedForwardTest extends EngineTest {

    private static final int[] LENGTHS = {7, 3, 11, 1};

    @TempDir
    Path tmp;

    @Test
    void realTokensGetThePaddedForwardsHiddenStatesAndLoraGradients() throws Exception {
        try (ModelFolder f = ModelFolder.load(TinyModels.write(tmp.resolve("m"), TinyModels.qwen2(), 3), manager)) {
            LlamaModel m = f.model();
            LoraConfig cfg = new LoraConfig(4, 8, 0.0, LoraTest.ALL, false, "tiny");
            m.putAdapter("t", cfg, LoraTest.randomAdapter(m, cfg, 9));
            int width = 11;
            int n = 0;
            for (int len : LENGTHS) {
                n += len;
            }
            Random rnd = new Random(4);
            long[] flat = new long[n];
            long[] padded = new long[LENGTHS.length * width]; // pad id 0 after each row
            long[] realAt = new long[n];
            int k = 0;
            for (int r = 0; r < LENGTHS.length; r++) {
                for (int j = 0; j < LENGTHS[r]; j++) {
                    flat[k] = 1 + rnd.nextInt(m.config().vocabSize() - 1);
                    padded[r * width + j] = flat[k];
                    realAt[k++] = (long) r * width + j;
                }
            }
            int hidden = m.config().hiddenSize();
            float[] probe = new float[n * hidden]; // a fixed direction to differentiate along
            for (int i = 0; i < probe.length; i++) {
                probe[i] = (float) rnd.nextGaussian();
            }
            Run unpadded = run(m, s -> m.hiddenUnpadded(s, flat, LENGTHS, "t", true), probe);
            Run paddedRun = run(m, s -> m.hidden(s.create(padded, new Shape(LENGTHS.length, width)), null, null, null,
                    "t", true).reshape(-1, hidden).get(s.create(realAt)), probe);

            assertEquals(paddedRun.hidden.length, unpadded.hidden.length);
            double worst = 0;
            for (int i = 0; i < n * hidden; i++) {
                worst = Math.max(worst, Math.abs(paddedRun.hidden[i] - unpadded.hidden[i]));
            }
            assertTrue(worst < 1e-5, "hidden states differ by up to " + worst);
            assertEquals(paddedRun.grads.keySet(), unpadded.grads.keySet());
            paddedRun.grads.forEach((key, g) -> {
                float[] u = unpadded.grads.get(key);
                double diff = 0;
                double norm = 0;
                for (int i = 0; i < g.length; i++) {
                    diff += (g[i] - u[i]) * (double) (g[i] - u[i]);
                    norm += g[i] * (double) g[i];
                }
                assertTrue(norm > 0, "a gradient for " + key);
                assertTrue(Math.sqrt(diff / norm) < 1e-5, key + " gradient differs by " + Math.sqrt(diff / norm)
                        + " relative");
            });
        }
    }

    @Test
    void idsThatDoNotAddUpToTheLengthsAreRefused() throws Exception {
        try (ModelFolder f = ModelFolder.load(TinyModels.write(tmp.resolve("m"), TinyModels.llama(), 3), manager);
             NDManager step = manager.newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> f.model().hiddenUnpadded(step, new long[] {1, 2, 3}, new int[] {2, 2}, null, false));
            assertEquals("3 token ids for sequences of 4 tokens in all", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> f.model().hiddenUnpadded(step, new long[] {1, 2}, new int[] {2, 0}, null, false));
        }
    }

    private record Run(float[] hidden, Map<String, float[]> grads) {
    }

    /** Hidden states of the real tokens (n, hidden) and the LoRA gradients of Σ hidden · probe. */
    private static Run run(LlamaModel m, Function<NDManager, NDArray> forward, float[] probe) {
        Map<String, NDArray> params = m.trainableParameters("t");
        float[] hidden;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector();
             NDManager step = m.manager().newSubManager()) {
            NDArray h = forward.apply(step);
            hidden = h.toFloatArray();
            gc.backward(h.mul(step.create(probe, h.getShape())).sum());
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        params.forEach((key, p) -> {
            try (NDArray g = p.getGradient()) {
                grads.put(key, g.toFloatArray());
                g.subi(g);
            }
        });
        return new Run(hidden, grads);
    }
}

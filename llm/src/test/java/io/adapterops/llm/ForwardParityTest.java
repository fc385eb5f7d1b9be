package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL forward pass against the independent scalar reference of transformers' semantics. */
class ForwardParityTest extends EngineTest {

    @TempDir
    Path tmp;


    private double maxDiff(LlamaConfig c, long seed) throws Exception {
        return maxDiff(c, seed, new int[] {3, 270, 17, 99, 256, 5, 42, 200, 7, 7, 131, 64, 12, 250, 1, 88, 19, 265, 40, 71});
    }

    private double maxDiff(LlamaConfig c, long seed, int[] ids) throws Exception {
        Path dir = TinyModels.write(tmp.resolve(c.modelType() + seed), c, seed);
        double[][] ref = new ReferenceLlama(dir).logits(ids);
        try (ModelFolder f = ModelFolder.load(dir, manager)) {
            float[][] got = Logits.of(f.model(), ids, null);
            double max = 0;
            double scale = 0;
            for (int i = 0; i < ids.length; i++) {
                for (int j = 0; j < ref[i].length; j++) {
                    max = Math.max(max, Math.abs(got[i][j] - ref[i][j]));
                    scale = Math.max(scale, Math.abs(ref[i][j]));
                }
            }
            assertTrue(scale > 1, "logits should not be trivially small, max |logit| = " + scale);
            System.out.printf("parity %s: max |djl - reference| = %.3g (max |logit| %.2f)%n", describe(c), max, scale);
            return max;
        }
    }

    private static String describe(LlamaConfig c) {
        return c.modelType() + " heads=" + c.numAttentionHeads() + "/" + c.numKeyValueHeads() + " headDim=" + c.headDim()
                + " scaling=" + (c.ropeScaling() == null ? "none" : c.ropeScaling().type());
    }

    private static LlamaConfig with(LlamaConfig c, int heads, int kvHeads, int headDim,
                                    LlamaConfig.RopeScaling scaling, boolean tied, boolean qkvBias, boolean oBias) {
        return new LlamaConfig(c.modelType(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                heads, kvHeads, headDim, c.rmsNormEps(), c.ropeTheta(), scaling, c.maxPositionEmbeddings(), tied,
                qkvBias, oBias, c.bosTokenId(), c.eosTokenIds());
    }

    @Test
    void llamaWithGroupedQueryAttentionMatchesReference() throws Exception {
        LlamaConfig c = TinyModels.llama();
        assertTrue(c.numKeyValueHeads() < c.numAttentionHeads());
        assertTrue(maxDiff(c, 1) <= 1e-4);
    }

    @Test
    void qwen2WithQkvBiasesAndTiedEmbeddingsMatchesReference() throws Exception {
        LlamaConfig c = TinyModels.qwen2();
        assertTrue(c.qkvBias() && c.tieWordEmbeddings());
        assertTrue(maxDiff(c, 2) <= 1e-4);
    }

    @Test
    void linearRopeScalingAndExplicitHeadDimMatchReference() throws Exception {
        LlamaConfig c = with(TinyModels.llama(), 4, 4, 32,
                new LlamaConfig.RopeScaling("linear", 2.0, 0, 0, 0), false, false, false);
        assertTrue(maxDiff(c, 3) <= 1e-4);
    }

    @Test
    void llama3RopeScalingWithAllThreeBandsMatchesReference() throws Exception {
        LlamaConfig c = with(TinyModels.llama(), 4, 1, 16,
                new LlamaConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 64), true, false, false);
        assertTrue(maxDiff(c, 4) <= 1e-4);
    }

    @Test
    void mistralAndLlamaAttentionBiasMatchReference() throws Exception {
        LlamaConfig base = TinyModels.llama();
        LlamaConfig mistral = new LlamaConfig("mistral", base.vocabSize(), base.hiddenSize(), base.intermediateSize(),
                base.numHiddenLayers(), 8, 2, 8, base.rmsNormEps(), 1e6, null, 4096, false, false, false, 1, List.of(2));
        assertTrue(maxDiff(mistral, 5) <= 1e-4);
        assertTrue(maxDiff(with(base, 4, 2, 16, null, false, true, true), 6) <= 1e-4);
    }

    /** RoPE angles in float32 as transformers computes them: an angle rounded from double drifts past ~1,000 tokens. */
    @Test
    void logitsMatchTheReferenceAt4096Tokens() throws Exception {
        LlamaConfig t = TinyModels.llama();
        LlamaConfig c = new LlamaConfig(t.modelType(), t.vocabSize(), t.hiddenSize(), t.intermediateSize(),
                t.numHiddenLayers(), t.numAttentionHeads(), t.numKeyValueHeads(), t.headDim(), t.rmsNormEps(),
                t.ropeTheta(), null, 4096, false, false, false, t.bosTokenId(), t.eosTokenIds());
        int[] ids = new java.util.Random(8).ints(4096, 0, c.vocabSize()).toArray();
        assertTrue(maxDiff(c, 8, ids) <= 1e-4);
    }

    @Test
    void referenceDetectsAWrongRopeLayout() throws Exception {
        // Guard on the guard: a config whose head_dim differs from what the weights were built for
        // must not pass, so equal logits above are evidence rather than coincidence.
        LlamaConfig c = TinyModels.llama();
        Path dir = TinyModels.write(tmp.resolve("guard"), c, 7);
        int[] ids = {1, 2, 3, 4, 5, 6};
        double[][] ref = new ReferenceLlama(dir).logits(ids);
        LlamaConfig other = with(c, c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                new LlamaConfig.RopeScaling("linear", 4.0, 0, 0, 0), false, false, false);
        try (LlamaModel m = LlamaModel.of(other, TinyModels.weights(c, 7), java.util.Map.of(), dir, manager)) {
            float[][] got = Logits.of(m, ids, null);
            double max = 0;
            for (int i = 1; i < ids.length; i++) {
                for (int j = 0; j < got[i].length; j++) {
                    max = Math.max(max, Math.abs(got[i][j] - ref[i][j]));
                }
            }
            assertTrue(max > 1e-3, "different RoPE must change logits, diff " + max);
            assertEquals(ref[0][5], got[0][5], 1e-4, "position 0 is unrotated either way");
        }
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraTest extends EngineTest {

    static final int[] IDS = {3, 270, 17, 99, 256, 5, 42, 200};
    static final List<String> ALL = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    @TempDir
    Path tmp;


    /**
     * An adapter as training leaves one, in PEFT's key names: A Kaiming-uniform, B no longer zero
     * (std 0.03, a weight change of roughly a tenth of W's size on the tiny model).
     */
    static Map<String, Safetensors.Tensor> randomAdapter(LlamaModel model, LoraConfig cfg, long seed) {
        Random rnd = new Random(seed);
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        model.adapterShapes(cfg).forEach((k, shape) -> {
            float[] v = new float[(int) (shape[0] * shape[1])];
            boolean isA = k.endsWith("lora_A.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (isA ? (rnd.nextDouble() * 2 - 1) / Math.sqrt(shape[1]) : rnd.nextGaussian() * 0.03);
            }
            t.put(k, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, shape, v));
        });
        return t;
    }

    private ModelFolder tiny(LlamaConfig c) throws Exception {
        return ModelFolder.load(TinyModels.write(tmp.resolve(c.modelType()), c, 11), manager);
    }

    @Test
    void freshAdapterHasKaimingUniformAZeroBAndGivesExactlyTheBaseLogits() throws Exception {
        try (ModelFolder f = tiny(TinyModels.qwen2())) {
            LlamaModel m = f.model();
            m.addAdapter("fresh", new LoraConfig(4, 8, 0.0, ALL, false, "tiny"), 1);
            float[][] base = Logits.of(m, IDS, null);
            float[][] lora = Logits.of(m, IDS, "fresh");
            for (int i = 0; i < IDS.length; i++) {
                assertArrayEquals(base[i], lora[i], "B = 0 must leave logits bit-identical");
            }
            Map<String, Safetensors.Tensor> t = m.adapterTensors("fresh");
            assertEquals(2 * 7 * m.config().numHiddenLayers(), t.size());
            float[] a = t.get("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight").toFloats(); // (4, 160)
            double bound = 1 / Math.sqrt(160);
            double maxAbs = 0;
            for (float v : a) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            assertTrue(maxAbs <= bound && maxAbs > 0.9 * bound, "A ~ U(-1/sqrt(in), 1/sqrt(in)), max " + maxAbs);
            for (float v : t.get("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight").toFloats()) {
                assertEquals(0f, v);
            }
        }
    }

    @Test
    void mergedWeightsGiveTheUnmergedAdaptersLogits() throws Exception {
        for (boolean rslora : new boolean[] {false, true}) {
            try (ModelFolder f = tiny(TinyModels.llama())) {
                LlamaModel m = f.model();
                LoraConfig cfg = new LoraConfig(4, 16, 0.1, ALL, rslora, "tiny");
                m.putAdapter("a", cfg, randomAdapter(m, cfg, 5));
                float[][] base = Logits.of(m, IDS, null);
                float[][] lora = Logits.of(m, IDS, "a");
                assertTrue(Logits.maxDiff(base, lora) > 1e-2, "the adapter must change the logits");
                Path out = tmp.resolve("merged" + rslora);
                f.exportMerged("a", out);
                try (ModelFolder merged = ModelFolder.load(out, manager)) {
                    double d = Logits.maxDiff(lora, Logits.of(merged.model(), IDS, null));
                    System.out.printf("merge (rslora=%s): max |merged - unmerged| = %.3g%n", rslora, d);
                    // W + s·BA rounded once to f32 against x·W + s·(x·A)·B: float noise on logits of ~18
                    // is ~1e-5 (1.07e-5 since RoPE angles follow transformers' f32 rounding); a wrong merge is ≥ 1e-2.
                    assertTrue(d <= 3e-5, "merged vs unmerged " + d);
                    assertEquals(f.tokenizer().decode(new int[] {72, 105}, false), merged.tokenizer().decode(new int[] {72, 105}, false));
                }
            }
        }
    }

    @Test
    void mergeFoldsScalingTimesBATimesAIntoW() throws Exception {
        try (ModelFolder f = tiny(TinyModels.llama())) {
            LlamaModel m = f.model();
            LoraConfig cfg = new LoraConfig(4, 6, 0, List.of("v_proj"), true, "tiny");
            Map<String, Safetensors.Tensor> t = randomAdapter(m, cfg, 3);
            m.putAdapter("r", cfg, t);
            float[] w = m.weights(null).get("model.layers.1.self_attn.v_proj.weight").toFloats(); // (32, 64)
            float[] merged = m.weights("r").get("model.layers.1.self_attn.v_proj.weight").toFloats();
            float[] a = t.get("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight").toFloats(); // (4, 64)
            float[] b = t.get("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight").toFloats(); // (32, 4)
            double scaling = 6 / Math.sqrt(4); // rsLoRA: alpha / sqrt(r)
            for (int o = 0; o < 32; o++) {
                for (int i = 0; i < 64; i++) {
                    double d = 0;
                    for (int k = 0; k < 4; k++) {
                        d += b[o * 4 + k] * a[k * 64 + i];
                    }
                    assertEquals(w[o * 64 + i] + scaling * d, merged[o * 64 + i], 1e-5);
                }
            }
            assertArrayEquals(m.weights(null).get("model.layers.1.self_attn.q_proj.weight").toFloats(),
                    m.weights("r").get("model.layers.1.self_attn.q_proj.weight").toFloats(), "untargeted module unchanged");
        }
    }

    @Test
    void severalAdaptersShareOneBaseAndEachCallNamesItsOwn() throws Exception {
        try (ModelFolder f = tiny(TinyModels.qwen2())) {
            LlamaModel m = f.model();
            LoraConfig c1 = new LoraConfig(2, 4, 0, List.of("q_proj", "v_proj"), false, "tiny");
            LoraConfig c2 = new LoraConfig(8, 8, 0, List.of("gate_proj", "down_proj"), false, "tiny");
            float[][] base = Logits.of(m, IDS, null);
            m.putAdapter("one", c1, randomAdapter(m, c1, 1));
            m.putAdapter("two", c2, randomAdapter(m, c2, 2));
            float[][] one = Logits.of(m, IDS, "one");
            float[][] two = Logits.of(m, IDS, "two");
            float[][] baseAgain = Logits.of(m, IDS, null);
            assertTrue(Logits.maxDiff(one, two) > 1e-2);
            assertTrue(Logits.maxDiff(one, base) > 1e-2);
            assertEquals(0.0, Logits.maxDiff(base, baseAgain), "adapter off per call gives the base");
            m.removeAdapter("one");
            assertEquals(0.0, Logits.maxDiff(two, Logits.of(m, IDS, "two")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Logits.of(m, IDS, "one"));
            assertTrue(e.getMessage().contains("no adapter named 'one'"));
        }
    }

    @Test
    void onlyLoraMatricesReceiveGradients() throws Exception {
        try (ModelFolder f = tiny(TinyModels.llama())) {
            LlamaModel m = f.model();
            LoraConfig cfg = new LoraConfig(4, 8, 0.0, List.of("q_proj", "down_proj"), false, "tiny");
            m.putAdapter("t", cfg, randomAdapter(m, cfg, 4));
            Map<String, NDArray> params = m.trainableParameters("t");
            assertEquals(2 * 2 * m.config().numHiddenLayers(), params.size());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 NDManager step = m.manager().newSubManager()) {
                NDArray x = step.create(new long[] {1, 2, 3, 4, 5}, new Shape(1, 5));
                NDArray loss = m.forward(x, "t", true).logSoftmax(-1).get(":, :, 7").mean();
                gc.backward(loss);
            }
            for (Map.Entry<String, NDArray> p : params.entrySet()) {
                assertTrue(p.getValue().hasGradient(), p.getKey());
                try (NDArray g = p.getValue().getGradient()) {
                    assertTrue(g.abs().sum().getFloat() > 0, "non-zero gradient for " + p.getKey());
                }
            }
            for (String path : List.of("model.layers.0.self_attn.q_proj", "model.layers.1.mlp.down_proj",
                    "model.layers.0.self_attn.k_proj")) {
                assertFalse(m.module(path).weight().hasGradient(), "base weight frozen: " + path);
            }
        }
    }
}

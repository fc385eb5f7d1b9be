package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both ways of applying per-row adapters give every row exactly scaling·B·A·x of its own adapter. */
class BatchedLoraTest extends EngineTest {
    private static final String UP = "model.layers.0.mlp.up_proj";
    private static final String DOWN = "model.layers.0.mlp.down_proj";
    private static final int IN = 16;
    private static final int OUT = 24;
    private static final int SEQ = 3;

    @Test
    void maskedAndGatheredRowsEachGetTheirOwnAdaptersTermWhateverTheMix() {
        Random random = new Random(7);
        int[] ranks = {2, 4, 8, 4, 2, 8};
        List<AdapterCache.Weights> adapters = new ArrayList<>();
        for (int k = 0; k < ranks.length; k++) {
            Map<String, AdapterCache.ModuleLora> modules = k % 3 == 2
                    ? Map.of(DOWN, module(random, ranks[k]))  // targets another module only
                    : Map.of(UP, module(random, ranks[k]), DOWN, module(random, ranks[k]));
            LoraConfig config = new LoraConfig(ranks[k], 2.0 * ranks[k] + k, 0, List.of("up_proj", "down_proj"),
                    false, null);
            adapters.add(new AdapterCache.Weights("a" + k, config, (float) config.scaling(), modules, 0));
        }
        List<AdapterCache.Weights> rows = Arrays.asList(adapters.get(0), null, adapters.get(1), adapters.get(2),
                adapters.get(3), adapters.get(0), adapters.get(4), adapters.get(5), null);
        for (int limit : new int[] {ranks.length, BatchedLora.MASKED_LIMIT, 0}) {
            check(random, rows, limit, ranks.length > limit);
        }
    }

    @Test
    void rowsThatAllUseTheOneAdapterHeldNeedNoMask() {
        Random random = new Random(11);
        LoraConfig config = new LoraConfig(8, 16, 0, List.of("up_proj"), false, null);
        AdapterCache.Weights only = new AdapterCache.Weights("only", config, (float) config.scaling(),
                Map.of(UP, module(random, 8)), 0);
        List<AdapterCache.Weights> rows = List.of(only, only, only, only);
        check(random, rows, BatchedLora.MASKED_LIMIT, false);
        check(random, rows, 0, true);
    }

    /** Applies the rows' adapters to random inputs and compares each row with its own scaling·B·A·x. */
    private void check(Random random, List<AdapterCache.Weights> rows, int limit, boolean gathered) {
        float[] x = new float[rows.size() * SEQ * IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] expected = reference(rows, x);
        try (BatchedLora lora = new BatchedLora(manager)) {
            lora.prepare(rows, limit);
            assertEquals(gathered, lora.gathered(), "limit " + limit);
            float[] got;
            try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
                lora.beginStep(step, rows);
                NDArray xs = step.create(x, new Shape(rows.size(), SEQ, IN));
                NDArray h = step.zeros(new Shape(rows.size(), SEQ, OUT));
                got = lora.apply(UP, xs, h).toFloatArray();
            }
            double maxDiff = 0;
            for (int i = 0; i < got.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
            }
            System.out.printf("%s, %d rows: max |difference| from scaling·B·A·x per row %.2e%n",
                    lora.gathered() ? "gathered" : "masked", rows.size(), maxDiff);
            assertTrue(maxDiff < 1e-5, "max difference " + maxDiff);
            assertFalse(Arrays.equals(got, new float[got.length]), "the adapters add a term");
        }
    }

    private static AdapterCache.ModuleLora module(Random random, int r) {
        float[] a = new float[r * IN];
        float[] b = new float[OUT * r];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian() * 0.3f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextGaussian() * 0.3f;
        }
        return new AdapterCache.ModuleLora(a, b, r, IN, OUT);
    }

    /** Row by row in plain Java: scaling · B (OUT, r) · A (r, IN) · x, zero for rows without an up_proj adapter. */
    private static float[] reference(List<AdapterCache.Weights> rows, float[] x) {
        float[] out = new float[rows.size() * SEQ * OUT];
        for (int row = 0; row < rows.size(); row++) {
            AdapterCache.Weights w = rows.get(row);
            AdapterCache.ModuleLora m = w == null ? null : w.modules().get(UP);
            if (m == null) {
                continue;
            }
            for (int t = 0; t < SEQ; t++) {
                double[] low = new double[m.r()];
                for (int j = 0; j < m.r(); j++) {
                    for (int i = 0; i < IN; i++) {
                        low[j] += m.a()[j * IN + i] * x[(row * SEQ + t) * IN + i];
                    }
                }
                for (int o = 0; o < OUT; o++) {
                    double sum = 0;
                    for (int j = 0; j < m.r(); j++) {
                        sum += m.b()[o * m.r() + j] * low[j];
                    }
                    out[(row * SEQ + t) * OUT + o] = (float) (w.scaling() * sum);
                }
            }
        }
        return out;
    }
}

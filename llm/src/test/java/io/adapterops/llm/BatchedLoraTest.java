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

/**
 * Both ways of applying per-row adapters give every row exactly scaling·B·A·x of its own adapter, on
 * each module of a group whose outputs are concatenated (here gate_proj and up_proj of unequal widths).
 */
class BatchedLoraTest extends EngineTest {
    private static final String GATE = "model.layers.0.mlp.gate_proj";
    private static final String UP = "model.layers.0.mlp.up_proj";
    private static final String DOWN = "model.layers.0.mlp.down_proj";
    private static final int IN = 16;
    private static final long[] OUTS = {24, 12}; // gate, up
    private static final BatchedLora.Group GATE_UP = new BatchedLora.Group(List.of(GATE, UP), OUTS, IN);
    private static final BatchedLora.Group DOWN_ALONE = new BatchedLora.Group(List.of(DOWN), new long[] {IN}, 24);
    private static final int OUT = 36;

    @Test
    void maskedAndGatheredRowsEachGetTheirOwnAdaptersTermWhateverTheMix() {
        Random random = new Random(7);
        int[] ranks = {2, 4, 8, 4, 2, 8};
        List<AdapterCache.Weights> adapters = new ArrayList<>();
        for (int k = 0; k < ranks.length; k++) {
            Map<String, AdapterCache.ModuleLora> modules = switch (k % 3) {
                case 0 -> Map.of(GATE, module(random, ranks[k], 24), UP, module(random, ranks[k], 12));
                case 1 -> Map.of(UP, module(random, ranks[k], 12)); // one module of the group only
                default -> Map.of(DOWN, module(random, ranks[k], IN)); // another group only
            };
            LoraConfig config = new LoraConfig(ranks[k], 2.0 * ranks[k] + k, 0,
                    List.of("gate_proj", "up_proj", "down_proj"), false, null);
            adapters.add(new AdapterCache.Weights("a" + k, config, (float) config.scaling(), modules, 0));
        }
        List<AdapterCache.Weights> rows = Arrays.asList(adapters.get(0), null, adapters.get(1), adapters.get(2),
                adapters.get(3), adapters.get(0), adapters.get(4), adapters.get(5), null);
        for (int limit : new int[] {ranks.length, BatchedLora.MASKED_LIMIT, 0}) {
            check(random, rows, 1, limit, ranks.length > limit); // decode: one position per row
            check(random, List.of(adapters.get(0)), 5, limit, limit < 1); // prefill: one row's prompt
        }
    }

    @Test
    void rowsThatAllUseTheOneAdapterHeldNeedNoMask() {
        Random random = new Random(11);
        LoraConfig config = new LoraConfig(8, 16, 0, List.of("gate_proj", "up_proj"), false, null);
        AdapterCache.Weights only = new AdapterCache.Weights("only", config, (float) config.scaling(),
                Map.of(GATE, module(random, 8, 24), UP, module(random, 8, 12)), 0);
        List<AdapterCache.Weights> rows = List.of(only, only, only, only);
        check(random, rows, 1, BatchedLora.MASKED_LIMIT, false);
        check(random, rows, 1, 0, true);
    }

    /**
     * Applies the rows' adapters to random inputs ({@code seq} positions per row) over a random base
     * output h, and compares each row with h + its own scaling·B·A·x.
     */
    private void check(Random random, List<AdapterCache.Weights> rows, int seq, int limit, boolean gathered) {
        float[] x = new float[rows.size() * seq * IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] base = new float[rows.size() * seq * OUT];
        for (int i = 0; i < base.length; i++) {
            base[i] = (float) random.nextGaussian();
        }
        float[] expected = reference(rows, seq, x);
        for (int i = 0; i < base.length; i++) {
            expected[i] += base[i];
        }
        try (BatchedLora lora = new BatchedLora(manager, List.of(GATE_UP, DOWN_ALONE))) {
            lora.prepare(rows, limit);
            assertEquals(gathered, lora.gathered(), "limit " + limit);
            float[] got;
            try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
                lora.beginStep(step, rows);
                NDArray xs = step.create(x, new Shape(rows.size() * seq, IN));
                NDArray h = step.create(base, new Shape(rows.size() * seq, OUT));
                got = lora.apply(GATE_UP, xs, h).toFloatArray();
            }
            double maxDiff = 0;
            for (int i = 0; i < got.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
            }
            System.out.printf("%s, %d rows × %d positions: max |difference| from h + scaling·B·A·x per row %.2e%n",
                    lora.gathered() ? "gathered" : "masked", rows.size(), seq, maxDiff);
            assertTrue(maxDiff < 1e-5, "max difference " + maxDiff);
            assertFalse(Arrays.equals(got, base), "the adapters add a term");
        }
    }

    private static AdapterCache.ModuleLora module(Random random, int r, int out) {
        int in = out == IN ? 24 : IN; // down_proj reads the gate/up width
        float[] a = new float[r * in];
        float[] b = new float[out * r];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian() * 0.3f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextGaussian() * 0.3f;
        }
        return new AdapterCache.ModuleLora(a, b, r, in, out);
    }

    /**
     * Row by row in plain Java: scaling · B (out, r) · A (r, IN) · x for gate_proj in the first 24
     * columns and up_proj in the last 12, zero where the row's adapter does not target the module.
     */
    private static float[] reference(List<AdapterCache.Weights> rows, int seq, float[] x) {
        float[] out = new float[rows.size() * seq * OUT];
        for (int row = 0; row < rows.size(); row++) {
            AdapterCache.Weights w = rows.get(row);
            term(w, GATE, 0, row, seq, x, out);
            term(w, UP, (int) OUTS[0], row, seq, x, out);
        }
        return out;
    }

    private static void term(AdapterCache.Weights w, String path, int first, int row, int seq, float[] x,
                             float[] out) {
        AdapterCache.ModuleLora m = w == null ? null : w.modules().get(path);
        if (m == null) {
            return;
        }
        for (int t = 0; t < seq; t++) {
            double[] low = new double[m.r()];
            for (int j = 0; j < m.r(); j++) {
                for (int i = 0; i < IN; i++) {
                    low[j] += m.a()[j * IN + i] * x[(row * seq + t) * IN + i];
                }
            }
            for (int o = 0; o < m.out(); o++) {
                double sum = 0;
                for (int j = 0; j < m.r(); j++) {
                    sum += m.b()[o * m.r() + j] * low[j];
                }
                out[(row * seq + t) * OUT + first + o] = (float) (w.scaling() * sum);
            }
        }
    }
}

package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adapterops.llm.PeftAdapter;
import io.adapterops.llm.Safetensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A faster training step must compute what the step computed before: over 20 steps on the tiny
 * model, with warm-up and gradient clipping on, the per-step losses stay within 1e-5 relative and
 * every final adapter tensor's Frobenius norm within 1e-4 relative of the reference values below.
 * Those leave room for float32 reordering (a fused matmul, another summation order), not for a
 * change of method.
 */
class StepEqualityTest {

    /*
     * Reference values: printed by this test (the "losses" and "norms" lines) when run on the
     * trainer as it was at commit 7bcbd11, before the step was reworked for speed (host AdamW and
     * clipping, one matmul per projection, logits over every position), on the CPU engine with one
     * PyTorch thread (surefire's setting), 2026-12-03.
     */
    private static final double[] LOSSES = {
        13.080692744755245, 12.16989474826389, 12.358192389738475, 11.909825211864407,
        12.174220078656463, 11.457588609798934, 11.250356114896617, 11.225511483266844,
        11.012906901041667, 9.818151137408089, 9.963132983576642, 9.95672607421875,
        9.840375566815997, 8.696930401141827, 9.693007114955357, 8.550319585585056,
        8.969714456353305, 8.903036875267551, 8.334617672109962, 8.341552734375
    };
    private static final Map<String, Double> NORMS = norms(
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", 1.750225004e+00,
            "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", 2.245726589e-01,
            "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", 1.741340216e+00,
            "base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight", 1.615731792e-01,
            "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", 1.719547220e+00,
            "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight", 1.842978404e-01,
            "base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight", 1.699416761e+00,
            "base_model.model.model.layers.0.self_attn.o_proj.lora_B.weight", 2.465581190e-01,
            "base_model.model.model.layers.0.mlp.gate_proj.lora_A.weight", 1.800663021e+00,
            "base_model.model.model.layers.0.mlp.gate_proj.lora_B.weight", 3.579335457e-01,
            "base_model.model.model.layers.0.mlp.up_proj.lora_A.weight", 1.752229224e+00,
            "base_model.model.model.layers.0.mlp.up_proj.lora_B.weight", 3.391030931e-01,
            "base_model.model.model.layers.0.mlp.down_proj.lora_A.weight", 1.754669659e+00,
            "base_model.model.model.layers.0.mlp.down_proj.lora_B.weight", 2.574501158e-01,
            "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", 1.697207793e+00,
            "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", 2.355238363e-01,
            "base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight", 1.701138882e+00,
            "base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight", 1.607732318e-01,
            "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight", 1.669531485e+00,
            "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight", 1.954995813e-01,
            "base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight", 1.687318321e+00,
            "base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight", 2.636614120e-01,
            "base_model.model.model.layers.1.mlp.gate_proj.lora_A.weight", 1.758813847e+00,
            "base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight", 3.493166516e-01,
            "base_model.model.model.layers.1.mlp.up_proj.lora_A.weight", 1.732719025e+00,
            "base_model.model.model.layers.1.mlp.up_proj.lora_B.weight", 3.533303017e-01,
            "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight", 1.718438265e+00,
            "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight", 2.693897793e-01);

    @TempDir
    Path tmp;

    @Test
    void twentyStepsWithWarmupAndClippingGiveTheReferenceLossesAndAdapter() throws Exception {
        Path base = Fixtures.tinyModel(tmp);
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 12);
        TrainingConfig cfg = Fixtures.config("max_steps", 20, "warmup_steps", 4, "max_grad_norm", 0.5,
                "learning_rate", 0.002, "per_device_train_batch_size", 2, "val_size", 0, "save_steps", 0,
                "seed", 5);
        List<Progress> events = new ArrayList<>();
        TrainingResult result = new Trainer().train(new TrainingRequest(base, data, tmp.resolve("work"), cfg,
                null), events::add, () -> false);

        double[] losses = events.stream().mapToDouble(Progress::trainLoss).toArray();
        Map<String, Safetensors.Tensor> adapter = PeftAdapter.read(result.adapterDir()).tensors();
        StringBuilder norms = new StringBuilder();
        adapter.forEach((k, t) -> norms.append(String.format("%n    \"%s\", %.9e,", k, frobenius(t.toFloats()))));
        System.out.println("losses " + Arrays.toString(losses));
        System.out.println("norms" + norms);

        assertTrue(events.stream().filter(p -> p.gradNorm() > 0.5).count() >= 5,
                "clipping must act on several steps for this test to cover it");
        assertEquals(LOSSES.length, losses.length);
        for (int i = 0; i < losses.length; i++) {
            assertEquals(LOSSES[i], losses[i], 1e-5 * Math.abs(LOSSES[i]), "loss of step " + (i + 1));
        }
        assertEquals(NORMS.keySet(), adapter.keySet());
        adapter.forEach((k, t) -> assertEquals(NORMS.get(k), frobenius(t.toFloats()), 1e-4 * NORMS.get(k), k));
    }

    private static Map<String, Double> norms(Object... keysAndNorms) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndNorms.length; i += 2) {
            m.put((String) keysAndNorms[i], (Double) keysAndNorms[i + 1]);
        }
        return m;
    }

    private static double frobenius(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}

package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LLaMA-Factory-style keys in, a validated config out; every refusal names its key. */
class TrainingConfigTest {

    @Test
    void snakeCaseKeysOverrideTheDefaults() {
        TrainingConfig c = TrainingConfig.fromMap(Map.of("stage", "dpo", "lora_rank", 16, "learning_rate", "1e-4",
                "lora_target", "q_proj, v_proj", "per_device_train_batch_size", 2.0, "template", "chatml"));

        assertEquals(Objective.DPO, c.objective());
        assertEquals(16, c.loraR());
        assertEquals(1e-4, c.learningRate());
        assertEquals(List.of("q_proj", "v_proj"), c.targetModules());
        assertEquals(2, c.batchSize());
        assertEquals("chatml", c.chatTemplate());
        assertEquals(TrainingConfig.defaults().loraAlpha(), c.loraAlpha());
        assertEquals(c, TrainingConfig.fromMap(c.toMap()));
    }

    @Test
    void anUnknownKeyIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromMap(Map.of("lora_rnak", 8)));
        assertTrue(e.getMessage().contains("lora_rnak"), e.getMessage());
    }

    @Test
    void aWrongValueIsRefusedNamingItsKey() {
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("learning_rate", "fast"),
                Map.<String, Object>of("lora_rank", 0), Map.<String, Object>of("num_train_epochs", 1.5),
                Map.<String, Object>of("lora_target", "qkv"), Map.<String, Object>of("val_size", 1.0),
                Map.<String, Object>of("packing", "yes"), Map.<String, Object>of("stage", "ppo"))) {
            String key = bad.keySet().iterator().next();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingConfig.fromMap(bad), key);
            assertTrue(e.getMessage().contains(key.equals("lora_target") ? "lora_target" : key), e.getMessage());
        }
    }
}

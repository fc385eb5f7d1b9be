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
        assertEquals(32, c.loraAlpha(), "lora_alpha unset: 2 × lora_rank, as LLaMA-Factory");
        assertEquals(c, TrainingConfig.fromMap(c.toMap()));
    }

    /**
     * Sources: LLaMA-Factory src/llamafactory/hparams/finetuning_args.py (stage, finetuning_type,
     * lora_*, pref_*, simpo_gamma; lora_alpha = lora_rank * 2 in __post_init__), data_args.py
     * (template, cutoff_len 2048, max_samples, val_size 0.0, packing None = off outside stage pt) and
     * transformers' TrainingArguments, which its TrainingArguments extends (learning_rate 5e-5,
     * adam_* , lr_scheduler_type linear, warmup_*, num_train_epochs 3.0, max_steps -1, batch sizes 8,
     * logging_steps / save_steps 500, eval_strategy no, eval_steps = logging_steps, seed 42).
     */
    @Test
    void everyDefaultIsLlamaFactorys() {
        Map<String, Object> expected = new java.util.LinkedHashMap<>();
        expected.put("stage", "sft");
        expected.put("finetuning_type", "lora");
        expected.put("lora_rank", 8);
        expected.put("lora_alpha", 16.0);
        expected.put("lora_dropout", 0.0);
        expected.put("lora_target", List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                "down_proj"));
        expected.put("use_rslora", false);
        expected.put("learning_rate", 5e-5);
        expected.put("weight_decay", 0.0);
        expected.put("adam_beta1", 0.9);
        expected.put("adam_beta2", 0.999);
        expected.put("adam_epsilon", 1e-8);
        expected.put("lr_scheduler_type", "linear");
        expected.put("warmup_steps", 0);
        expected.put("warmup_ratio", 0.0);
        expected.put("num_train_epochs", 3.0);
        expected.put("max_steps", 0);                    // -1 in Hugging Face: the epochs decide
        expected.put("per_device_train_batch_size", 8);
        expected.put("per_device_eval_batch_size", 8);
        expected.put("gradient_accumulation_steps", 1);
        expected.put("max_grad_norm", 1.0);
        expected.put("logging_steps", 500);
        expected.put("eval_strategy", "no");             // val_size 0: nothing to evaluate
        expected.put("eval_steps", 500);
        expected.put("early_stopping_patience", 0);
        expected.put("save_steps", 500);
        expected.put("seed", 42L);
        expected.put("val_size", 0.0);
        expected.put("cutoff_len", 2048);
        expected.put("max_samples", null);
        expected.put("packing", false);
        expected.put("template", null);
        expected.put("pref_loss", "sigmoid");
        expected.put("pref_beta", 0.1);
        expected.put("simpo_gamma", 0.5);

        Map<String, Object> defaults = TrainingConfig.defaults().toMap();
        defaults.forEach((k, v) -> System.out.println("default " + k + " = " + v));
        assertEquals(expected, defaults);
        assertEquals(40.0, TrainingConfig.fromMap(Map.of("lora_rank", 20)).loraAlpha());
        assertTrue(TrainingConfig.fromMap(Map.of("val_size", 0.1)).evaluate(),
                "a held-out split is evaluated without eval_strategy (LLaMA-Factory would need eval_strategy: steps)");
    }

    @Test
    void keysWithoutMeaningHereAreAcceptedWithWhatHappensInstead() {
        Map<String, Object> yaml = new java.util.HashMap<>(Map.of("bf16", true, "ddp_timeout", 180000000,
                "report_to", "none"));
        yaml.put("resume_from_checkpoint", null); // as LLaMA-Factory's examples write it
        TrainingConfig c = TrainingConfig.fromMap(yaml);

        assertEquals(List.of("bf16", "ddp_timeout", "report_to", "resume_from_checkpoint").stream().sorted().toList(),
                c.ignored().keySet().stream().sorted().toList());
        assertTrue(c.ignored().get("bf16").contains("float32"), c.ignored().get("bf16"));
        assertEquals(TrainingConfig.defaults().toMap(), c.toMap(), "ignored keys change nothing");
    }

    @Test
    void keysThisRuntimeCannotHonourAreRefusedWithTheReason() {
        IllegalArgumentException dora = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromMap(Map.of("use_dora", true)));
        IllegalArgumentException kto = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromMap(Map.of("stage", "kto")));
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromMap(Map.of("resume_from_checkpoint", "saves/checkpoint-500")));

        System.out.println(dora.getMessage() + "\n" + kto.getMessage() + "\n" + path.getMessage());
        assertTrue(dora.getMessage().startsWith("use_dora is not supported: DoRA"), dora.getMessage());
        assertTrue(kto.getMessage().startsWith("stage kto is not supported"), kto.getMessage());
        assertTrue(path.getMessage().contains("saves/checkpoint-500"), path.getMessage());
        assertEquals(TrainingConfig.defaults().toMap(), TrainingConfig.fromMap(Map.of("use_dora", false)).toMap(),
                "an unsupported feature written switched off is fine");
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
                Map.<String, Object>of("lora_rank", 0), Map.<String, Object>of("num_train_epochs", 0),
                Map.<String, Object>of("lr_scheduler_type", "polynomial"), Map.<String, Object>of("pref_loss", "ipo"),
                Map.<String, Object>of("lora_target", "qkv"), Map.<String, Object>of("val_size", 1.0),
                Map.<String, Object>of("packing", "yes"), Map.<String, Object>of("stage", "ppo"))) {
            String key = bad.keySet().iterator().next();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingConfig.fromMap(bad), key);
            assertTrue(e.getMessage().contains(key.equals("lora_target") ? "lora_target" : key), e.getMessage());
        }
    }
}

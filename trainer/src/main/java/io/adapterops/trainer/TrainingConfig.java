package io.adapterops.trainer;

import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.LoraConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyper-parameters of one LoRA training job, a plain value validated once. {@link #fromMap}
 * reads LLaMA-Factory-style snake_case keys; every other key, and every bad value, is refused with
 * an {@link IllegalArgumentException} that names the key. Accepted keys (default in brackets):
 *
 * <pre>
 *   stage | objective             sft | dpo                                   [sft]
 *   lora_rank                     r of every adapted module                   [8]
 *   lora_alpha                    LoRA alpha                                  [16]
 *   lora_dropout                  dropout on the LoRA input, in [0, 1)        [0]
 *   lora_target                   "all", "q_proj,v_proj" or a list            [all]
 *   use_rslora                    scale alpha/sqrt(r) instead of alpha/r      [false]
 *   learning_rate                 peak AdamW learning rate                    [1e-4]
 *   weight_decay                  decoupled (AdamW) weight decay              [0]
 *   adam_beta1, adam_beta2        AdamW betas                                 [0.9, 0.999]
 *   warmup_steps                  linear warm-up from 0, then cosine to 0     [0]
 *   num_train_epochs              passes over the training split             [3]
 *   max_steps                     optimizer steps; 0 = epochs decide          [0]
 *   per_device_train_batch_size   rows per micro-batch                        [4]
 *   gradient_accumulation_steps   micro-batches per optimizer step            [1]
 *   max_grad_norm                 clip by global gradient norm; 0 = off       [1.0]
 *   eval_steps                    evaluate every N steps; 0 = only at the end [50]
 *   early_stopping_patience       evals without a better eval loss; 0 = off   [0]
 *   save_steps                    checkpoint every N steps; 0 = never         [50]
 *   seed                          shuffling, LoRA init, dropout               [42]
 *   val_size                      fraction held out for evaluation, [0, 1)    [0.1]
 *   cutoff_len                    tokens per sequence (longer rows are cut)   [1024]
 *   pref_beta                     DPO beta                                    [0.1]
 *   packing                       pack several SFT rows into one sequence     [false]
 *   template                      chatml | llama3 | alpaca; absent = folder's [null]
 * </pre>
 */
public record TrainingConfig(
        Objective objective,
        int loraR,
        double loraAlpha,
        double loraDropout,
        List<String> targetModules,
        boolean useRslora,
        double learningRate,
        double weightDecay,
        double beta1,
        double beta2,
        int warmupSteps,
        int epochs,
        int maxSteps,
        int batchSize,
        int gradientAccumulation,
        double maxGradNorm,
        int evalEvery,
        int earlyStoppingPatience,
        int checkpointEvery,
        long seed,
        double validationFraction,
        int maxSeqLen,
        double dpoBeta,
        boolean packing,
        String chatTemplate) {

    private static final List<String> ALL_MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public TrainingConfig {
        if (objective == null) {
            throw new IllegalArgumentException("stage must be sft or dpo");
        }
        targetModules = List.copyOf(targetModules);
        require(loraR > 0, "lora_rank", "must be positive, got " + loraR);
        require(loraAlpha > 0, "lora_alpha", "must be positive, got " + loraAlpha);
        require(loraDropout >= 0 && loraDropout < 1, "lora_dropout", "must be in [0, 1), got " + loraDropout);
        require(!targetModules.isEmpty(), "lora_target", "is empty");
        for (String t : targetModules) {
            require(ALL_MODULES.contains(t), "lora_target", "unknown module '" + t + "' (known: " + ALL_MODULES + ")");
        }
        require(learningRate > 0 && Double.isFinite(learningRate), "learning_rate", "must be positive, got " + learningRate);
        require(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
        require(beta1 >= 0 && beta1 < 1, "adam_beta1", "must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "adam_beta2", "must be in [0, 1), got " + beta2);
        require(warmupSteps >= 0, "warmup_steps", "must be >= 0, got " + warmupSteps);
        require(epochs > 0, "num_train_epochs", "must be positive, got " + epochs);
        require(maxSteps >= 0, "max_steps", "must be >= 0, got " + maxSteps);
        require(batchSize > 0, "per_device_train_batch_size", "must be positive, got " + batchSize);
        require(gradientAccumulation > 0, "gradient_accumulation_steps", "must be positive, got " + gradientAccumulation);
        require(maxGradNorm >= 0, "max_grad_norm", "must be >= 0, got " + maxGradNorm);
        require(evalEvery >= 0, "eval_steps", "must be >= 0, got " + evalEvery);
        require(earlyStoppingPatience >= 0, "early_stopping_patience", "must be >= 0, got " + earlyStoppingPatience);
        require(checkpointEvery >= 0, "save_steps", "must be >= 0, got " + checkpointEvery);
        require(validationFraction >= 0 && validationFraction < 1, "val_size", "must be in [0, 1), got " + validationFraction);
        require(maxSeqLen >= 8, "cutoff_len", "must be at least 8, got " + maxSeqLen);
        require(dpoBeta > 0, "pref_beta", "must be positive, got " + dpoBeta);
        if (chatTemplate != null) {
            try {
                ChatTemplate.byName(chatTemplate);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("template: " + e.getMessage(), e);
            }
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(Objective.SFT, 8, 16, 0, ALL_MODULES, false, 1e-4, 0, 0.9, 0.999, 0, 3, 0, 4, 1,
                1.0, 50, 0, 50, 42, 0.1, 1024, 0.1, false, null);
    }

    /** {@link #defaults()} with {@code overrides} (snake_case keys, see the class comment) applied. */
    public static TrainingConfig fromMap(Map<String, Object> overrides) {
        Map<String, Object> m = new LinkedHashMap<>(defaults().toMap());
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            String key = e.getKey().equals("objective") ? "stage" : e.getKey();
            if (!m.containsKey(key)) {
                throw new IllegalArgumentException("unknown training key '" + e.getKey() + "' (known: "
                        + String.join(", ", m.keySet()) + ", objective)");
            }
            m.put(key, e.getValue());
        }
        return new TrainingConfig(objective(m.get("stage")), integer(m, "lora_rank"), number(m, "lora_alpha"),
                number(m, "lora_dropout"), modules(m.get("lora_target")), bool(m, "use_rslora"),
                number(m, "learning_rate"), number(m, "weight_decay"), number(m, "adam_beta1"),
                number(m, "adam_beta2"), integer(m, "warmup_steps"), integer(m, "num_train_epochs"),
                integer(m, "max_steps"), integer(m, "per_device_train_batch_size"),
                integer(m, "gradient_accumulation_steps"), number(m, "max_grad_norm"), integer(m, "eval_steps"),
                integer(m, "early_stopping_patience"), integer(m, "save_steps"), longValue(m, "seed"),
                number(m, "val_size"), integer(m, "cutoff_len"), number(m, "pref_beta"), bool(m, "packing"),
                text(m, "template"));
    }

    /** The config as the snake_case map {@link #fromMap} reads (what training_summary.json records). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", objective.name().toLowerCase(Locale.ROOT));
        m.put("lora_rank", loraR);
        m.put("lora_alpha", loraAlpha);
        m.put("lora_dropout", loraDropout);
        m.put("lora_target", targetModules);
        m.put("use_rslora", useRslora);
        m.put("learning_rate", learningRate);
        m.put("weight_decay", weightDecay);
        m.put("adam_beta1", beta1);
        m.put("adam_beta2", beta2);
        m.put("warmup_steps", warmupSteps);
        m.put("num_train_epochs", epochs);
        m.put("max_steps", maxSteps);
        m.put("per_device_train_batch_size", batchSize);
        m.put("gradient_accumulation_steps", gradientAccumulation);
        m.put("max_grad_norm", maxGradNorm);
        m.put("eval_steps", evalEvery);
        m.put("early_stopping_patience", earlyStoppingPatience);
        m.put("save_steps", checkpointEvery);
        m.put("seed", seed);
        m.put("val_size", validationFraction);
        m.put("cutoff_len", maxSeqLen);
        m.put("pref_beta", dpoBeta);
        m.put("packing", packing);
        m.put("template", chatTemplate);
        return m;
    }

    /** The adapter's PEFT config. */
    public LoraConfig loraConfig(String baseModel) {
        return new LoraConfig(loraR, loraAlpha, loraDropout, targetModules, useRslora, baseModel);
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(key + " " + problem);
        }
    }

    private static Objective objective(Object v) {
        String s = String.valueOf(v).toUpperCase(Locale.ROOT);
        try {
            return Objective.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stage must be sft or dpo, got '" + v + "'", e);
        }
    }

    private static List<String> modules(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            list.forEach(x -> out.add(String.valueOf(x).trim()));
        } else if (v instanceof String s) {
            Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
        } else {
            throw new IllegalArgumentException("lora_target must be \"all\", a comma-separated string or a list, got " + v);
        }
        return out.equals(List.of("all")) ? ALL_MODULES : out;
    }

    private static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim()); // YAML 1.1 reads "1e-4" (no dot) as a string
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + s + "'", e);
            }
        }
        throw new IllegalArgumentException(key + " must be a number, got " + v);
    }

    private static long longValue(Map<String, Object> m, String key) {
        double d = number(m, key);
        if (d != Math.rint(d) || Math.abs(d) > 1L << 53) {
            throw new IllegalArgumentException(key + " must be a whole number, got " + m.get(key));
        }
        return (long) d;
    }

    private static int integer(Map<String, Object> m, String key) {
        long v = longValue(m, key);
        if (v != (int) v) {
            throw new IllegalArgumentException(key + " is out of range: " + v);
        }
        return (int) v;
    }

    private static boolean bool(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equals(v) || "false".equals(v)) {
            return Boolean.parseBoolean((String) v);
        }
        throw new IllegalArgumentException(key + " must be true or false, got " + v);
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new IllegalArgumentException(key + " must be a string, got " + v);
    }
}

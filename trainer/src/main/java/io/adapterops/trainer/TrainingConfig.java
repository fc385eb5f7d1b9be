package io.adapterops.trainer;

import io.adapterops.llm.LoraConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyper-parameters of one LoRA training job, a plain value validated once. {@link #fromMap}
 * reads LLaMA-Factory's YAML keys with LLaMA-Factory's defaults: its {@code hparams} classes
 * ({@code FinetuningArguments}, {@code DataArguments}) and, for the optimizer and schedule keys,
 * the Hugging Face {@code TrainingArguments} it extends. Every other key, and every bad value, is
 * refused with an {@link IllegalArgumentException} that names the key. Honoured keys (default in
 * brackets, source after it):
 *
 * <pre>
 *   stage                         sft | dpo (objective is an alias)           [sft]      FinetuningArguments
 *   finetuning_type               lora only                                   [lora]     FinetuningArguments
 *   lora_rank                     r of every adapted module                   [8]        FinetuningArguments
 *   lora_alpha                    LoRA alpha                                  [2·rank]   FinetuningArguments
 *   lora_dropout                  dropout on the LoRA input, in [0, 1)        [0]        FinetuningArguments
 *   lora_target                   "all", "q_proj,v_proj" or a list            [all]      FinetuningArguments
 *   use_rslora                    scale alpha/sqrt(r) instead of alpha/r      [false]    FinetuningArguments
 *   learning_rate                 peak AdamW learning rate                    [5e-5]     TrainingArguments
 *   weight_decay                  decoupled (AdamW) weight decay              [0]        TrainingArguments
 *   adam_beta1, adam_beta2        AdamW betas                                 [0.9, 0.999] TrainingArguments
 *   adam_epsilon                  AdamW epsilon                               [1e-8]     TrainingArguments
 *   lr_scheduler_type             linear | cosine | constant | constant_with_warmup [linear] TrainingArguments
 *   warmup_steps                  linear warm-up steps from 0                 [0]        TrainingArguments
 *   warmup_ratio                  warm-up as a share of the steps, when warmup_steps is 0 [0] TrainingArguments
 *   num_train_epochs              passes over the training split (may be fractional) [3] TrainingArguments
 *   max_steps                     optimizer steps; 0 or -1 = epochs decide    [-1]       TrainingArguments
 *   per_device_train_batch_size   rows per micro-batch                        [8]        TrainingArguments
 *   per_device_eval_batch_size    rows per evaluation batch                   [8]        TrainingArguments
 *   gradient_accumulation_steps   micro-batches per optimizer step            [1]        TrainingArguments
 *   max_grad_norm                 clip by global gradient norm; 0 = off       [1.0]      TrainingArguments
 *   logging_steps                 the default of eval_steps (progress is reported every step) [500] TrainingArguments
 *   eval_strategy                 no | steps (evaluate every eval_steps and at the end)
 *                                 [steps when val_size > 0, else no]          (LLaMA-Factory: no)
 *   eval_steps                    evaluate every N steps                      [logging_steps] TrainingArguments
 *   save_steps                    checkpoint every N steps; 0 = never         [500]      TrainingArguments
 *   seed                          shuffling, LoRA init, dropout               [42]       TrainingArguments
 *   early_stopping_patience       evals without a better eval loss; 0 = off   [0]        (EarlyStoppingCallback)
 *   val_size                      fraction held out for evaluation, [0, 1)    [0]        DataArguments
 *   cutoff_len                    tokens per sequence, shared per turn        [2048]     DataArguments
 *   max_samples                   use only the first N rows of the dataset    [all]      DataArguments
 *   packing                       pack several SFT rows into one sequence     [false]    DataArguments
 *   template                      LLaMA-Factory template name; absent = the model folder's [null] DataArguments
 *   pref_loss                     sigmoid (DPO) | orpo | simpo                [sigmoid]  FinetuningArguments
 *   pref_beta                     beta of the preference loss                 [0.1]      FinetuningArguments
 *   simpo_gamma                   SimPO target reward margin                  [0.5]      FinetuningArguments
 * </pre>
 *
 * Keys of LLaMA-Factory that mean nothing on this runtime are accepted and reported in
 * {@link #ignored()} with what happens instead ({@link #IGNORED}); keys it has but this runtime
 * cannot honour are refused with the reason ({@link #UNSUPPORTED}).
 *
 * @param loraAlpha resolved: 2 × rank when the key is absent or null, as LLaMA-Factory does
 * @param maxSamples 0 = every row
 * @param evalSteps 0 = evaluate only at the end (when {@code evaluate})
 * @param ignored accepted keys without effect here → what happens instead; not part of {@link #toMap()}
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
        double adamEpsilon,
        LrSchedule.Type scheduler,
        int warmupSteps,
        double warmupRatio,
        double epochs,
        int maxSteps,
        int batchSize,
        int evalBatchSize,
        int gradientAccumulation,
        double maxGradNorm,
        int loggingSteps,
        boolean evaluate,
        int evalSteps,
        int earlyStoppingPatience,
        int checkpointEvery,
        long seed,
        double validationFraction,
        int maxSeqLen,
        int maxSamples,
        boolean packing,
        String chatTemplate,
        PrefLoss prefLoss,
        double dpoBeta,
        double simpoGamma,
        Map<String, String> ignored) {

    /** The preference loss of {@code stage: dpo}, by LLaMA-Factory's {@code pref_loss} name. */
    public enum PrefLoss {
        /** DPO against the base model (adapter off) as reference. */
        SIGMOID,
        /** Odds-ratio preference optimisation; no reference model. */
        ORPO,
        /** Length-normalised rewards with a target margin; no reference model. */
        SIMPO
    }

    private static final List<String> ALL_MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    /** LLaMA-Factory keys accepted without effect here, and what happens instead. */
    public static final Map<String, String> IGNORED = ordered(
            "do_train", "this command always trains",
            "bf16", "training runs in float32 (bf16 crashes the CPU engine; half precision on GPU is unproven here)",
            "fp16", "training runs in float32 (half precision on GPU is unproven with this engine)",
            "ddp_timeout", "one process trains, nothing is distributed",
            "preprocessing_num_workers", "rows are tokenized on the training thread",
            "dataloader_num_workers", "batches are built on the training thread",
            "trust_remote_code", "no model code is run: the architecture is read from config.json",
            "overwrite_output_dir", "a rerun on the same output_dir resumes from its newest checkpoint; "
                    + "delete output_dir to start over",
            "overwrite_cache", "no tokenized dataset is cached",
            "resume_from_checkpoint", "a rerun on the same output_dir resumes from its newest checkpoint",
            "plot_loss", "no plot is drawn; every step's loss is in the progress events",
            "save_only_model", "checkpoints hold the adapter, the AdamW moments and the data position",
            "report_to", "progress goes to the console (CLI) or the service's run tracker (MLflow when configured)",
            "flash_attn", "attention runs PyTorch's eager kernel",
            "ddp_find_unused_parameters", "one process trains, nothing is distributed");

    /** LLaMA-Factory keys this runtime cannot honour, and why. */
    public static final Map<String, String> UNSUPPORTED = ordered(
            "deepspeed", "one process trains on one device; DeepSpeed is not available on this runtime",
            "quantization_bit", "base weights are float32; QLoRA quantization is not available",
            "use_dora", "DoRA adapters are not implemented; use plain LoRA",
            "pissa_init", "PiSSA initialisation is not implemented; LoRA starts from A random, B zero",
            "neat_packing", "packing without cross-attention needs a block-diagonal mask, not implemented; "
                    + "use packing",
            "train_on_prompt", "only replies are trained",
            "mask_history", "every reply of a conversation is trained",
            "pref_ftx", "an SFT term in the preference loss is not implemented (orpo has its own)",
            "eval_dataset", "hold out part of the dataset with val_size instead",
            "ref_model", "the DPO reference is the base model with the adapter switched off");

    public TrainingConfig {
        if (objective == null) {
            throw new IllegalArgumentException("stage must be sft or dpo");
        }
        targetModules = List.copyOf(targetModules);
        ignored = Collections.unmodifiableMap(new LinkedHashMap<>(ignored));
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
        require(adamEpsilon > 0, "adam_epsilon", "must be positive, got " + adamEpsilon);
        require(scheduler != null, "lr_scheduler_type", "is required");
        require(warmupSteps >= 0, "warmup_steps", "must be >= 0, got " + warmupSteps);
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "must be in [0, 1], got " + warmupRatio);
        require(epochs > 0 && Double.isFinite(epochs), "num_train_epochs", "must be positive, got " + epochs);
        require(maxSteps >= 0, "max_steps", "must be >= 0 (or -1), got " + maxSteps);
        require(batchSize > 0, "per_device_train_batch_size", "must be positive, got " + batchSize);
        require(evalBatchSize > 0, "per_device_eval_batch_size", "must be positive, got " + evalBatchSize);
        require(gradientAccumulation > 0, "gradient_accumulation_steps", "must be positive, got " + gradientAccumulation);
        require(maxGradNorm >= 0, "max_grad_norm", "must be >= 0, got " + maxGradNorm);
        require(loggingSteps > 0, "logging_steps", "must be positive, got " + loggingSteps);
        require(evalSteps >= 0, "eval_steps", "must be >= 0, got " + evalSteps);
        require(earlyStoppingPatience >= 0, "early_stopping_patience", "must be >= 0, got " + earlyStoppingPatience);
        require(checkpointEvery >= 0, "save_steps", "must be >= 0, got " + checkpointEvery);
        require(validationFraction >= 0 && validationFraction < 1, "val_size", "must be in [0, 1), got " + validationFraction);
        require(maxSeqLen >= 8, "cutoff_len", "must be at least 8, got " + maxSeqLen);
        require(maxSamples >= 0, "max_samples", "must be positive, got " + maxSamples);
        require(prefLoss != null, "pref_loss", "is required");
        require(dpoBeta > 0, "pref_beta", "must be positive, got " + dpoBeta);
        require(simpoGamma >= 0, "simpo_gamma", "must be >= 0, got " + simpoGamma);
        if (chatTemplate != null) {
            try {
                TrainingTemplate.byName(chatTemplate);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("template: " + e.getMessage(), e);
            }
        }
    }

    /** Every key at its default. */
    public static TrainingConfig defaults() {
        return fromMap(Map.of());
    }

    /** LLaMA-Factory's defaults with {@code overrides} (its YAML keys, see the class comment) applied. */
    public static TrainingConfig fromMap(Map<String, Object> overrides) {
        Map<String, Object> m = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> ignored = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            String key = e.getKey().equals("objective") ? "stage" : e.getKey();
            if (key.equals("resume_from_checkpoint") && e.getValue() instanceof String path) {
                throw new IllegalArgumentException("resume_from_checkpoint: a checkpoint path ('" + path + "') is not "
                        + "supported; a rerun on the same output_dir resumes from its newest checkpoint");
            }
            if (IGNORED.containsKey(key)) {
                ignored.put(key, IGNORED.get(key));
            } else if (UNSUPPORTED.containsKey(key)) {
                if (!isOff(e.getValue())) {
                    throw new IllegalArgumentException(key + " is not supported: " + UNSUPPORTED.get(key));
                }
            } else if (!m.containsKey(key)) {
                throw new IllegalArgumentException("unknown training key '" + e.getKey() + "' (known: "
                        + String.join(", ", m.keySet()) + ", objective; accepted and ignored: "
                        + String.join(", ", IGNORED.keySet()) + ")");
            } else {
                m.put(key, e.getValue());
            }
        }
        if (!"lora".equals(String.valueOf(m.get("finetuning_type")))) {
            throw new IllegalArgumentException("finetuning_type must be lora, got " + m.get("finetuning_type"));
        }
        int rank = integer(m, "lora_rank");
        double validation = number(m, "val_size");
        int logging = integer(m, "logging_steps");
        int maxSteps = integer(m, "max_steps");
        return new TrainingConfig(objective(m.get("stage")), rank,
                m.get("lora_alpha") == null ? 2.0 * rank : number(m, "lora_alpha"),
                number(m, "lora_dropout"), modules(m.get("lora_target")), bool(m, "use_rslora"),
                number(m, "learning_rate"), number(m, "weight_decay"), number(m, "adam_beta1"),
                number(m, "adam_beta2"), number(m, "adam_epsilon"), scheduler(m.get("lr_scheduler_type")),
                integer(m, "warmup_steps"), number(m, "warmup_ratio"), number(m, "num_train_epochs"),
                maxSteps == -1 ? 0 : maxSteps, integer(m, "per_device_train_batch_size"),
                integer(m, "per_device_eval_batch_size"), integer(m, "gradient_accumulation_steps"),
                number(m, "max_grad_norm"), logging, evaluate(m.get("eval_strategy"), validation),
                m.get("eval_steps") == null ? logging : integer(m, "eval_steps"),
                integer(m, "early_stopping_patience"), integer(m, "save_steps"), longValue(m, "seed"), validation,
                integer(m, "cutoff_len"), m.get("max_samples") == null ? 0 : integer(m, "max_samples"),
                m.get("packing") != null && bool(m, "packing"), text(m, "template"), prefLoss(m.get("pref_loss")),
                number(m, "pref_beta"), number(m, "simpo_gamma"), ignored);
    }

    /** Every honoured key at LLaMA-Factory's default; null where it derives one from another key. */
    private static final Map<String, Object> DEFAULTS = defaultsMap();

    private static Map<String, Object> defaultsMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", "sft");
        m.put("finetuning_type", "lora");
        m.put("lora_rank", 8);
        m.put("lora_alpha", null);
        m.put("lora_dropout", 0.0);
        m.put("lora_target", "all");
        m.put("use_rslora", false);
        m.put("learning_rate", 5e-5);
        m.put("weight_decay", 0.0);
        m.put("adam_beta1", 0.9);
        m.put("adam_beta2", 0.999);
        m.put("adam_epsilon", 1e-8);
        m.put("lr_scheduler_type", "linear");
        m.put("warmup_steps", 0);
        m.put("warmup_ratio", 0.0);
        m.put("num_train_epochs", 3.0);
        m.put("max_steps", -1);
        m.put("per_device_train_batch_size", 8);
        m.put("per_device_eval_batch_size", 8);
        m.put("gradient_accumulation_steps", 1);
        m.put("max_grad_norm", 1.0);
        m.put("logging_steps", 500);
        m.put("eval_strategy", null);
        m.put("eval_steps", null);
        m.put("early_stopping_patience", 0);
        m.put("save_steps", 500);
        m.put("seed", 42);
        m.put("val_size", 0.0);
        m.put("cutoff_len", 2048);
        m.put("max_samples", null);
        m.put("packing", null);
        m.put("template", null);
        m.put("pref_loss", "sigmoid");
        m.put("pref_beta", 0.1);
        m.put("simpo_gamma", 0.5);
        return Collections.unmodifiableMap(m);
    }

    /** The config as the map {@link #fromMap} reads (what training_summary.json records), every default resolved. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", objective.name().toLowerCase(Locale.ROOT));
        m.put("finetuning_type", "lora");
        m.put("lora_rank", loraR);
        m.put("lora_alpha", loraAlpha);
        m.put("lora_dropout", loraDropout);
        m.put("lora_target", targetModules);
        m.put("use_rslora", useRslora);
        m.put("learning_rate", learningRate);
        m.put("weight_decay", weightDecay);
        m.put("adam_beta1", beta1);
        m.put("adam_beta2", beta2);
        m.put("adam_epsilon", adamEpsilon);
        m.put("lr_scheduler_type", scheduler.name().toLowerCase(Locale.ROOT));
        m.put("warmup_steps", warmupSteps);
        m.put("warmup_ratio", warmupRatio);
        m.put("num_train_epochs", epochs);
        m.put("max_steps", maxSteps);
        m.put("per_device_train_batch_size", batchSize);
        m.put("per_device_eval_batch_size", evalBatchSize);
        m.put("gradient_accumulation_steps", gradientAccumulation);
        m.put("max_grad_norm", maxGradNorm);
        m.put("logging_steps", loggingSteps);
        m.put("eval_strategy", evaluate ? "steps" : "no");
        m.put("eval_steps", evalSteps);
        m.put("early_stopping_patience", earlyStoppingPatience);
        m.put("save_steps", checkpointEvery);
        m.put("seed", seed);
        m.put("val_size", validationFraction);
        m.put("cutoff_len", maxSeqLen);
        m.put("max_samples", maxSamples == 0 ? null : maxSamples);
        m.put("packing", packing);
        m.put("template", chatTemplate);
        m.put("pref_loss", prefLoss.name().toLowerCase(Locale.ROOT));
        m.put("pref_beta", dpoBeta);
        m.put("simpo_gamma", simpoGamma);
        return m;
    }

    /** The adapter's PEFT config. */
    public LoraConfig loraConfig(String baseModel) {
        return new LoraConfig(loraR, loraAlpha, loraDropout, targetModules, useRslora, baseModel);
    }

    /** Warm-up steps for a run of {@code totalSteps}: warmup_steps, else ⌈warmup_ratio · total⌉ (Hugging Face's rule). */
    public long warmupFor(long totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(key + " " + problem);
        }
    }

    private static Map<String, String> ordered(String... keysAndReasons) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndReasons.length; i += 2) {
            m.put(keysAndReasons[i], keysAndReasons[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** An unsupported feature's key may still be written switched off (false, null, 0, none). */
    private static boolean isOff(Object v) {
        return v == null || Boolean.FALSE.equals(v) || "false".equals(v) || "none".equals(v)
                || (v instanceof Number n && n.doubleValue() == 0);
    }

    private static Objective objective(Object v) {
        String s = String.valueOf(v).toLowerCase(Locale.ROOT);
        return switch (s) {
            case "sft" -> Objective.SFT;
            case "dpo" -> Objective.DPO;
            case "kto" -> throw new IllegalArgumentException("stage kto is not supported: KTO (unpaired desirable/"
                    + "undesirable replies) is not implemented; use stage dpo with pref_loss sigmoid, orpo or simpo "
                    + "on chosen/rejected pairs");
            case "pt", "rm", "ppo" -> throw new IllegalArgumentException("stage " + s + " is not supported: this "
                    + "runtime trains LoRA adapters with sft or dpo (pref_loss sigmoid, orpo or simpo)");
            default -> throw new IllegalArgumentException("stage must be sft or dpo, got '" + v + "'");
        };
    }

    private static LrSchedule.Type scheduler(Object v) {
        try {
            return LrSchedule.Type.valueOf(String.valueOf(v).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lr_scheduler_type must be linear, cosine, constant or "
                    + "constant_with_warmup, got '" + v + "'", e);
        }
    }

    private static PrefLoss prefLoss(Object v) {
        try {
            return PrefLoss.valueOf(String.valueOf(v).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pref_loss must be sigmoid, orpo or simpo, got '" + v + "'", e);
        }
    }

    /** LLaMA-Factory evaluates only with an eval_strategy; here a held-out split is evaluated unless told no. */
    private static boolean evaluate(Object strategy, double validationFraction) {
        if (strategy == null) {
            return validationFraction > 0;
        }
        return switch (String.valueOf(strategy)) {
            case "no" -> false;
            case "steps" -> true;
            default -> throw new IllegalArgumentException("eval_strategy must be no or steps, got '" + strategy
                    + "' (epoch is not supported: set eval_steps)");
        };
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

package io.adapterops.llm;

import java.util.List;
import java.util.Set;

/**
 * The hyper-parameters of one LoRA adapter, named as PEFT names them.
 *
 * @param targetModules module names such as {@code q_proj}; a module is adapted in every layer
 * @param useRslora scale by {@code alpha / sqrt(r)} instead of {@code alpha / r}
 * @param baseModel {@code base_model_name_or_path}, informational
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules,
                         boolean useRslora, String baseModel) {

    /** The modules a LoRA may target in this runtime. */
    public static final Set<String> MODULES =
            Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        targetModules = List.copyOf(targetModules);
        if (r <= 0) {
            throw new IllegalArgumentException("r must be positive, got " + r);
        }
        if (loraDropout < 0 || loraDropout >= 1) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (targetModules.isEmpty()) {
            throw new IllegalArgumentException("target_modules is empty");
        }
        for (String t : targetModules) {
            if (!MODULES.contains(t)) {
                throw new IllegalArgumentException("unknown target module '" + t + "' (known: " + MODULES + ")");
            }
        }
    }

    /** The factor on {@code B·A·x}. */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }
}

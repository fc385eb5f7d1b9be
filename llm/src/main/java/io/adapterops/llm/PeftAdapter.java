package io.adapterops.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoRA adapter folders in Hugging Face PEFT's layout, read and written:
 *
 * <pre>
 *   adapter_config.json        {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r", "lora_alpha", …}
 *   adapter_model.safetensors  base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight  (r, in)
 *                              base_model.model.model.layers.{i}.mlp.down_proj.lora_B.weight     (out, r)
 * </pre>
 *
 * PEFT silently skips tensors whose names are off, so a misnamed adapter "loads" and changes
 * nothing; this reader instead rejects every key it does not understand, naming the file. The
 * writer emits only keys that PEFT's own {@code LoraConfig} has (older releases reject others) and
 * the safetensors metadata {@code {"format": "pt"}}.
 */
public final class PeftAdapter {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final Pattern KEY = Pattern.compile(
            "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)\\.lora_([AB])\\.weight");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An adapter as stored: its config and its tensors by PEFT key. */
    public record Adapter(LoraConfig config, Map<String, Safetensors.Tensor> tensors) {
    }

    private PeftAdapter() {
    }

    /** Reads and checks a folder; every tensor key must be a PEFT LoRA key for a targeted module. */
    public static Adapter read(Path dir) {
        LoraConfig config = readConfig(dir.resolve(CONFIG_FILE));
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            if (Files.isRegularFile(dir.resolve("adapter_model.bin"))) {
                throw new ModelFormatException(dir.resolve("adapter_model.bin"),
                        "pickle adapter weights are not supported; save with safe_serialization=True");
            }
            throw new ModelFormatException(weights, "missing adapter weights");
        }
        Map<String, Safetensors.Tensor> tensors = Safetensors.read(weights);
        for (String key : tensors.keySet()) {
            checkKey(weights, key, config);
        }
        return new Adapter(config, tensors);
    }

    /** Reads a folder and loads it into {@code model} under {@code name}, checking shapes against the model. */
    public static LoraConfig load(Path dir, LlamaModel model, String name) {
        Adapter a = read(dir);
        try {
            model.putAdapter(name, a.config(), a.tensors());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(dir.resolve(WEIGHTS_FILE), e.getMessage() + " (r="
                    + a.config().r() + " in " + CONFIG_FILE + ", model " + model.config().modelType() + " with "
                    + model.config().numHiddenLayers() + " layers)", e);
        }
        return a.config();
    }

    /** Writes {@code model}'s adapter {@code name} as a PEFT folder. */
    public static void write(Path dir, LlamaModel model, String name) throws IOException {
        write(dir, model.adapterConfig(name), model.adapterTensors(name));
    }

    public static void write(Path dir, LoraConfig c, Map<String, Safetensors.Tensor> tensors) throws IOException {
        Files.createDirectories(dir);
        ObjectNode n = JSON.createObjectNode();
        n.putObject("alpha_pattern");
        n.putNull("auto_mapping");
        n.put("base_model_name_or_path", c.baseModel());
        n.put("bias", "none");
        n.put("fan_in_fan_out", false);
        n.put("inference_mode", true);
        n.put("init_lora_weights", true);
        n.putNull("layers_pattern");
        n.putNull("layers_to_transform");
        if (c.loraAlpha() == Math.rint(c.loraAlpha())) {
            n.put("lora_alpha", (long) c.loraAlpha());
        } else {
            n.put("lora_alpha", c.loraAlpha());
        }
        n.put("lora_dropout", c.loraDropout());
        n.putNull("modules_to_save");
        n.put("peft_type", "LORA");
        n.put("r", c.r());
        n.putObject("rank_pattern");
        n.putNull("revision");
        c.targetModules().forEach(n.putArray("target_modules")::add);
        n.put("task_type", "CAUSAL_LM");
        n.put("use_rslora", c.useRslora());
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), n);
        Safetensors.write(dir.resolve(WEIGHTS_FILE), tensors);
    }

    static LoraConfig readConfig(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read adapter config: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new ModelFormatException(file, "not a JSON object");
        }
        require(file, "LORA".equals(n.path("peft_type").asText()), "peft_type must be \"LORA\", got " + n.get("peft_type"));
        require(file, !n.has("task_type") || n.get("task_type").isNull() || "CAUSAL_LM".equals(n.get("task_type").asText()),
                "task_type must be \"CAUSAL_LM\", got " + n.get("task_type"));
        require(file, n.path("r").canConvertToInt(), "missing integer 'r'");
        require(file, n.path("lora_alpha").isNumber(), "missing number 'lora_alpha'");
        require(file, "none".equals(n.path("bias").asText("none")), "bias=" + n.get("bias") + " is not supported (only \"none\")");
        require(file, !n.path("use_dora").asBoolean(false), "use_dora=true is not supported");
        require(file, !n.path("fan_in_fan_out").asBoolean(false), "fan_in_fan_out=true is not supported");
        require(file, isEmpty(n.get("modules_to_save")), "modules_to_save is not supported");
        require(file, isEmpty(n.get("layers_to_transform")), "layers_to_transform is not supported");
        require(file, isEmpty(n.get("rank_pattern")) && isEmpty(n.get("alpha_pattern")),
                "rank_pattern / alpha_pattern are not supported");
        JsonNode t = n.path("target_modules");
        List<String> targets = new ArrayList<>();
        if (t.isArray()) {
            t.forEach(x -> targets.add(x.asText()));
        } else if (t.isTextual() && t.asText().equals("all-linear")) {
            targets.addAll(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"));
        } else {
            throw new ModelFormatException(file, "target_modules must be a list of module names (or \"all-linear\"), got " + t);
        }
        try {
            return new LoraConfig(n.get("r").asInt(), n.get("lora_alpha").asDouble(), n.path("lora_dropout").asDouble(0),
                    targets, n.path("use_rslora").asBoolean(false), n.path("base_model_name_or_path").asText(null));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }

    private static void checkKey(Path file, String key, LoraConfig config) {
        if (key.contains(".default.")) {
            throw new ModelFormatException(file, "key " + key + " contains the adapter name '.default.'; PEFT's files "
                    + "omit it, and PEFT would silently ignore this tensor");
        }
        if (!key.startsWith(LlamaModel.PEFT_PREFIX)) {
            throw new ModelFormatException(file, "key " + key + " lacks the '" + LlamaModel.PEFT_PREFIX
                    + "' prefix; PEFT would silently ignore this tensor");
        }
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            throw new ModelFormatException(file, "key " + key + " is not a LoRA weight this runtime knows "
                    + "(expected base_model.model.model.layers.{i}.self_attn|mlp.{module}.lora_A|lora_B.weight)");
        }
        String parent = m.group(2);
        String module = m.group(3);
        boolean attention = List.of("q_proj", "k_proj", "v_proj", "o_proj").contains(module);
        boolean mlp = List.of("gate_proj", "up_proj", "down_proj").contains(module);
        if (!(attention && parent.equals("self_attn")) && !(mlp && parent.equals("mlp"))) {
            throw new ModelFormatException(file, "key " + key + ": there is no module " + parent + "." + module);
        }
        if (!config.targetModules().contains(module)) {
            throw new ModelFormatException(file, "key " + key + " is for " + module + ", which target_modules "
                    + config.targetModules() + " does not list");
        }
    }

    private static boolean isEmpty(JsonNode n) {
        return n == null || n.isNull() || (n.isContainerNode() && n.isEmpty());
    }

    private static void require(Path file, boolean ok, String problem) {
        if (!ok) {
            throw new ModelFormatException(file, problem);
        }
    }
}

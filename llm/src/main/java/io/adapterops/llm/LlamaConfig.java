package io.adapterops.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family {@code config.json} as a plain value, read and validated once. Llama, Mistral and
 * Qwen2 share one forward pass; they differ only in what the config says (Qwen2: q/k/v biases;
 * Llama: {@code attention_bias} adds them to o_proj too).
 *
 * @param modelType {@code llama}, {@code mistral} or {@code qwen2}
 * @param headDim {@code head_dim}, or hidden / heads when the file has none
 * @param ropeScaling null for plain RoPE
 * @param qkvBias biases on q_proj, k_proj, v_proj
 * @param oBias bias on o_proj
 */
public record LlamaConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        Integer bosTokenId,
        List<Integer> eosTokenIds) {

    /**
     * {@code rope_scaling}: {@code linear} divides all frequencies by {@code factor}; {@code llama3}
     * divides only the low ones and blends the middle band.
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public LlamaConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    public static LlamaConfig read(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read config: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new ModelFormatException(file, "not a JSON object");
        }
        return fromJson(file, n);
    }

    static LlamaConfig fromJson(Path file, JsonNode n) {
        String type = n.path("model_type").asText("");
        if (type.isEmpty() && n.path("architectures").isArray() && n.path("architectures").size() > 0) {
            type = switch (n.path("architectures").get(0).asText()) {
                case "LlamaForCausalLM" -> "llama";
                case "MistralForCausalLM" -> "mistral";
                case "Qwen2ForCausalLM" -> "qwen2";
                default -> n.path("architectures").get(0).asText();
            };
        }
        if (!List.of("llama", "mistral", "qwen2").contains(type)) {
            throw new ModelFormatException(file, "unknown architecture '" + type
                    + "' (supported model_type: llama, mistral, qwen2)");
        }
        int hidden = req(file, n, "hidden_size");
        int heads = req(file, n, "num_attention_heads");
        int kvHeads = n.has("num_key_value_heads") && !n.get("num_key_value_heads").isNull()
                ? n.get("num_key_value_heads").asInt() : heads;
        int headDim = n.has("head_dim") && !n.get("head_dim").isNull() ? n.get("head_dim").asInt() : hidden / heads;
        boolean llamaBias = n.path("attention_bias").asBoolean(false);
        boolean qwen = type.equals("qwen2");
        if (n.path("mlp_bias").asBoolean(false)) {
            throw new ModelFormatException(file, "mlp_bias=true is not supported");
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode e = n.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e.canConvertToInt()) {
            eos.add(e.asInt());
        }
        LlamaConfig c = new LlamaConfig(type,
                req(file, n, "vocab_size"), hidden, req(file, n, "intermediate_size"),
                req(file, n, "num_hidden_layers"), heads, kvHeads, headDim,
                n.path("rms_norm_eps").asDouble(1e-6),
                n.path("rope_theta").asDouble(10000.0),
                ropeScaling(file, n.path("rope_scaling")),
                maxPositions(n, qwen),
                n.path("tie_word_embeddings").asBoolean(false),
                qwen || llamaBias, !qwen && llamaBias,
                n.path("bos_token_id").canConvertToInt() ? n.get("bos_token_id").asInt() : null,
                eos);
        c.validate(file);
        return c;
    }

    /**
     * This runtime has no sliding-window attention (Mistral, Qwen2 with {@code use_sliding_window}):
     * inside the window it equals full attention, so the usable length is clamped to the window and
     * longer sequences are refused rather than answered differently from transformers.
     */
    private static int maxPositions(JsonNode n, boolean qwen) {
        int max = n.path("max_position_embeddings").asInt(2048);
        boolean sliding = qwen ? n.path("use_sliding_window").asBoolean(false) : n.path("sliding_window").canConvertToInt();
        int window = n.path("sliding_window").asInt(0);
        return sliding && window > 0 && window < max ? window : max;
    }

    private static int req(Path file, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new ModelFormatException(file, "missing or non-integer '" + key + "'");
        }
        return v.asInt();
    }

    private static RopeScaling ropeScaling(Path file, JsonNode r) {
        if (r == null || r.isNull() || r.isMissingNode()) {
            return null;
        }
        String type = r.has("rope_type") ? r.get("rope_type").asText() : r.path("type").asText();
        double factor = r.path("factor").asDouble(1.0);
        return switch (type) {
            case "default" -> null;
            case "linear" -> new RopeScaling("linear", factor, 0, 0, 0);
            case "llama3" -> new RopeScaling("llama3", factor, r.path("low_freq_factor").asDouble(1.0),
                    r.path("high_freq_factor").asDouble(4.0), r.path("original_max_position_embeddings").asInt(8192));
            default -> throw new ModelFormatException(file, "rope_scaling type '" + type
                    + "' is not supported (supported: linear, llama3)");
        };
    }

    void validate(Path file) {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers <= 0 || headDim <= 0) {
            throw new ModelFormatException(file, "sizes must be positive: " + this);
        }
        if (numAttentionHeads <= 0 || numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
            throw new ModelFormatException(file, "num_attention_heads=" + numAttentionHeads
                    + " must be a positive multiple of num_key_value_heads=" + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new ModelFormatException(file, "head_dim=" + headDim + " must be even for RoPE");
        }
    }

    /** This config as Hugging Face writes it. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(switch (modelType) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            default -> "LlamaForCausalLM";
        });
        n.put("model_type", modelType);
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("intermediate_size", intermediateSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("num_key_value_heads", numKeyValueHeads);
        n.put("head_dim", headDim);
        n.put("hidden_act", "silu");
        n.put("rms_norm_eps", rmsNormEps);
        n.put("rope_theta", ropeTheta);
        if (ropeScaling == null) {
            n.putNull("rope_scaling");
        } else {
            ObjectNode r = n.putObject("rope_scaling");
            r.put("rope_type", ropeScaling.type());
            r.put("factor", ropeScaling.factor());
            if (ropeScaling.type().equals("llama3")) {
                r.put("low_freq_factor", ropeScaling.lowFreqFactor());
                r.put("high_freq_factor", ropeScaling.highFreqFactor());
                r.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
            }
        }
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("tie_word_embeddings", tieWordEmbeddings);
        if (!modelType.equals("qwen2")) {
            n.put("attention_bias", qkvBias);
        }
        if (bosTokenId != null) {
            n.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            n.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            eosTokenIds.forEach(n.putArray("eos_token_id")::add);
        }
        n.put("torch_dtype", "float32");
        return n;
    }
}

package io.adapterops.llm;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face model folder, loaded: {@code config.json}, {@code model.safetensors} or the shards
 * of {@code model.safetensors.index.json}, {@code tokenizer.json}, and where present
 * {@code tokenizer_config.json} (chat template) and {@code generation_config.json} (EOS ids).
 * It also writes such folders (tiny models, merged exports).
 */
public final class ModelFolder implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json");

    private final Path dir;
    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final Set<Integer> eosIds;
    private final int padId;
    private final ChatTemplate chatTemplate;

    private ModelFolder(Path dir, LlamaModel model, TextTokenizer tokenizer, Set<Integer> eosIds, int padId,
                        ChatTemplate chatTemplate) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.eosIds = eosIds;
        this.padId = padId;
        this.chatTemplate = chatTemplate;
    }

    /** Loads a folder onto {@code parent}'s device. */
    public static ModelFolder load(Path dir, NDManager parent) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new ModelFormatException(configFile, "missing config.json");
        }
        LlamaConfig config = LlamaConfig.read(configFile);
        TextTokenizer tokenizer = TextTokenizer.load(dir);
        try {
            Map<String, Path> origin = new LinkedHashMap<>();
            Map<String, Safetensors.Tensor> tensors = readWeights(dir, origin);
            LlamaModel model = LlamaModel.of(config, tensors, origin, configFile, parent);
            Set<Integer> eos = new LinkedHashSet<>(config.eosTokenIds());
            Integer pad = null;
            Path gen = dir.resolve("generation_config.json");
            if (Files.isRegularFile(gen)) {
                JsonNode g = readJson(gen);
                ids(g.path("eos_token_id"), eos);
                pad = g.path("pad_token_id").canConvertToInt() ? g.get("pad_token_id").asInt() : null;
            }
            ChatTemplate template = null;
            Path tc = dir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(tc)) {
                JsonNode t = readJson(tc);
                JsonNode ct = t.path("chat_template");
                template = ChatTemplate.recognise(ct.isArray() && ct.size() > 0 ? ct.get(0).path("template").asText()
                        : ct.isTextual() ? ct.asText() : null);
                if (t.path("eos_token").isTextual()) {
                    Integer id = tokenizer.tokenId(t.get("eos_token").asText());
                    if (id != null) {
                        eos.add(id);
                    }
                }
                if (pad == null && t.path("pad_token").isTextual()) {
                    pad = tokenizer.tokenId(t.get("pad_token").asText());
                }
            }
            int padId = pad != null ? pad : eos.isEmpty() ? 0 : eos.iterator().next();
            return new ModelFolder(dir, model, tokenizer, Set.copyOf(eos), padId, template);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static void ids(JsonNode n, Set<Integer> into) {
        if (n.isArray()) {
            n.forEach(x -> into.add(x.asInt()));
        } else if (n.canConvertToInt()) {
            into.add(n.asInt());
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelFormatException(file, "not valid JSON: " + e.getMessage(), e);
        }
    }

    /** All tensors of the folder's single or sharded safetensors weights, recording each one's file. */
    static Map<String, Safetensors.Tensor> readWeights(Path dir, Map<String, Path> origin) {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(single)) {
            files.add(single);
        } else if (Files.isRegularFile(index)) {
            JsonNode map = readJson(index).path("weight_map");
            if (!map.isObject()) {
                throw new ModelFormatException(index, "no 'weight_map' object");
            }
            Set<String> shards = new LinkedHashSet<>();
            map.fields().forEachRemaining(f -> shards.add(f.getValue().asText()));
            for (String s : shards) {
                Path p = dir.resolve(s).normalize();
                if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
                    throw new ModelFormatException(index, "shard '" + s + "' is missing");
                }
                files.add(p);
            }
        } else {
            throw new ModelFormatException(single, "missing (and no model.safetensors.index.json either)");
        }
        Map<String, Safetensors.Tensor> all = new LinkedHashMap<>();
        for (Path f : files) {
            Safetensors.read(f).forEach((name, t) -> {
                if (all.put(name, t) != null) {
                    throw new ModelFormatException(f, "tensor " + name + " also appears in " + origin.get(name));
                }
                origin.put(name, f);
            });
        }
        return all;
    }

    /**
     * Writes a model folder: config.json, the weights (one file, or {@code shards} files with an
     * index), and the tokenizer files copied from {@code tokenizerSource} when not null.
     */
    public static void write(Path dir, LlamaConfig config, Map<String, Safetensors.Tensor> weights,
                             Path tokenizerSource, int shards) throws IOException {
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config.toJson());
        if (shards <= 1) {
            Safetensors.write(dir.resolve("model.safetensors"), weights);
        } else {
            List<String> names = new ArrayList<>(weights.keySet());
            ObjectNode indexJson = JSON.createObjectNode();
            long total = weights.values().stream().mapToLong(t -> t.data().limit()).sum();
            indexJson.putObject("metadata").put("total_size", total);
            ObjectNode map = indexJson.putObject("weight_map");
            int per = (names.size() + shards - 1) / shards;
            for (int s = 0; s < shards; s++) {
                String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
                Map<String, Safetensors.Tensor> part = new LinkedHashMap<>();
                for (String n : names.subList(Math.min(s * per, names.size()), Math.min((s + 1) * per, names.size()))) {
                    part.put(n, weights.get(n));
                    map.put(n, file);
                }
                Safetensors.write(dir.resolve(file), part);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("model.safetensors.index.json").toFile(),
                    indexJson);
        }
        if (tokenizerSource != null) {
            for (String f : TOKENIZER_FILES) {
                if (Files.isRegularFile(tokenizerSource.resolve(f))) {
                    Files.copy(tokenizerSource.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Folds {@code adapter} into the base weights and writes the result as a full model folder. */
    public void exportMerged(String adapter, Path out) throws IOException {
        write(out, model.config(), model.weights(adapter), dir, 1);
    }

    public Path dir() {
        return dir;
    }

    public LlamaModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public Set<Integer> eosIds() {
        return eosIds;
    }

    public int padId() {
        return padId;
    }

    /** The folder's chat template, or null when it names none this runtime knows. */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}

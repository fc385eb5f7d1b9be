package io.adapterops.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.llm.TextTokenizer;
import io.adapterops.llm.TinyModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The tiny Llama model and small, short English subsets of the shipped helpdesk sets. */
final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    static Path tinyModel(Path dir) throws IOException {
        return TinyModels.write(dir.resolve("base"), TinyModels.llama(), 7);
    }

    /**
     * An encoder as the trainer builds one for the tiny Llama folder (BOS {@code <|begin_of_text|>},
     * EOS {@code <|eot_id|>} from its tokenizer_config.json), with no cutoff unless given.
     */
    static ChatEncoder encoder(TrainingTemplate template, TextTokenizer tokenizer, int cutoffLen) {
        return new ChatEncoder(template, tokenizer, new TrainingTemplate.Tokens(
                TinyModels.tokenId("<|begin_of_text|>"), TinyModels.tokenId("<|eot_id|>")), cutoffLen);
    }

    static ChatEncoder encoder(TrainingTemplate template, TextTokenizer tokenizer) {
        return encoder(template, tokenizer, Integer.MAX_VALUE);
    }

    /** The {@code n} English rows with the shortest {@code lengthField}, as JSONL in {@code dir}. */
    static Path shortEnglish(Path dir, String resource, String lengthField, int n) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        try (InputStream in = Fixtures.class.getResourceAsStream("/datasets/" + resource);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode row = JSON.readTree(line);
                if ("en".equals(row.path("language").asText())) {
                    rows.add(row);
                }
            }
        }
        rows.sort(Comparator.comparingInt((JsonNode row) -> row.path(lengthField).asText().length())
                .thenComparing(row -> row.toString()));
        StringBuilder out = new StringBuilder();
        rows.subList(0, n).forEach(row -> out.append(row.toString()).append('\n'));
        Path file = dir.resolve(resource.replace(".jsonl", "-" + n + ".jsonl"));
        Files.writeString(file, out.toString());
        return file;
    }

    static List<JsonNode> rows(Path jsonl) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** {@code TrainingConfig.fromMap} of alternating keys and values. */
    static TrainingConfig config(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return TrainingConfig.fromMap(m);
    }
}

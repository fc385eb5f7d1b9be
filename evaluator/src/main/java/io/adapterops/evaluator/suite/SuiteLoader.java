package io.adapterops.evaluator.suite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.evaluator.gate.MetricNames;
import io.adapterops.evaluator.metrics.BleuTokenizer;
import io.adapterops.evaluator.metrics.JsonSchemaCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a suite from JSONL. The first non-blank line is the header
 * {@code {"suite": {"name", "kind": held_out|red_team|canary, "route"?, "json"?, "schema"?, "referencesPerCase"?,
 * "extraMetrics"?: ["chrf", "chrf++"], "bleuTokenize"?: 13a|zh|char|none}}};
 * every further line is a case {@code {"id", "prompt", "lang": en|zh, "expect"?: answer|refuse,
 * "references"?: [..], "category"?}}. Any fault stops the load with file, line and field.
 */
public final class SuiteLoader {

    private static final Set<String> LANGS = Set.of("en", "zh");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SuiteLoader() {
    }

    public static Suite load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read suite " + file, e);
        }
    }

    /** A suite shipped with the module, e.g. {@code red-team.jsonl}. */
    public static Suite shipped(String fileName) {
        String resource = "/io/adapterops/evaluator/suites/" + fileName;
        try (InputStream in = SuiteLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no shipped suite named " + fileName);
            }
            return read(in, fileName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Suite read(InputStream in, String file) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Header header = null;
        List<EvalCase> cases = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String text;
        int line = 0;
        while ((text = reader.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode row = parse(text, file, line);
            if (header == null) {
                header = header(row, file, line);
            } else {
                EvalCase c = evalCase(row, header, file, line);
                if (!ids.add(c.id())) {
                    throw new SuiteFormatException(file, line, "id", "duplicate id '" + c.id() + "'");
                }
                cases.add(c);
            }
        }
        if (header == null) {
            throw new SuiteFormatException(file, Math.max(line, 1), null, "empty suite: no header and no cases");
        }
        if (cases.isEmpty()) {
            throw new SuiteFormatException(file, line, null, "empty suite '" + header.name + "': the header has no cases after it");
        }
        return new Suite(header.name, header.kind, header.route, header.json, header.schema, header.extraMetrics,
                header.bleuTokenizer, cases);
    }

    private record Header(String name, SuiteKind kind, Optional<String> route, boolean json, Optional<JsonNode> schema,
                          Integer referencesPerCase, Set<String> extraMetrics, Optional<BleuTokenizer> bleuTokenizer) {
    }

    private static JsonNode parse(String text, String file, int line) {
        try {
            JsonNode row = MAPPER.readTree(text);
            if (!row.isObject()) {
                throw new SuiteFormatException(file, line, null, "a row must be a JSON object");
            }
            return row;
        } catch (JsonProcessingException e) {
            throw new SuiteFormatException(file, line, null, "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Header header(JsonNode row, String file, int line) {
        JsonNode h = row.get("suite");
        if (h == null || !h.isObject()) {
            throw new SuiteFormatException(file, line, "suite", "the first line must be the header {\"suite\": {...}}");
        }
        String name = requiredText(h, "name", file, line);
        SuiteKind kind;
        try {
            kind = SuiteKind.parse(requiredText(h, "kind", file, line));
        } catch (IllegalArgumentException e) {
            throw new SuiteFormatException(file, line, "kind", e.getMessage());
        }
        Optional<JsonNode> schema = Optional.ofNullable(h.get("schema"));
        if (schema.isPresent()) {
            try {
                new JsonSchemaCheck(schema.get());
            } catch (IllegalArgumentException e) {
                throw new SuiteFormatException(file, line, "schema", e.getMessage());
            }
        }
        JsonNode json = h.get("json");
        if (json != null && !json.isBoolean()) {
            throw new SuiteFormatException(file, line, "json", "must be true or false");
        }
        Integer perCase = null;
        if (h.has("referencesPerCase")) {
            if (!h.get("referencesPerCase").isInt() || h.get("referencesPerCase").asInt() < 1) {
                throw new SuiteFormatException(file, line, "referencesPerCase", "must be a positive integer");
            }
            perCase = h.get("referencesPerCase").asInt();
        }
        Optional<String> route = h.has("route") ? Optional.of(requiredText(h, "route", file, line)) : Optional.empty();
        if (kind == SuiteKind.CANARY && route.isEmpty()) {
            throw new SuiteFormatException(file, line, "route", "a canary suite belongs to a route; name it");
        }
        Optional<BleuTokenizer> bleuTokenizer = Optional.empty();
        if (h.has("bleuTokenize")) {
            try {
                bleuTokenizer = Optional.of(BleuTokenizer.named(requiredText(h, "bleuTokenize", file, line)));
            } catch (IllegalArgumentException e) {
                throw new SuiteFormatException(file, line, "bleuTokenize", e.getMessage());
            }
        }
        return new Header(name, kind, route, schema.isPresent() || (json != null && json.asBoolean()), schema, perCase,
                extraMetrics(h, file, line), bleuTokenizer);
    }

    private static Set<String> extraMetrics(JsonNode h, String file, int line) {
        JsonNode list = h.get("extraMetrics");
        Set<String> out = new HashSet<>();
        if (list == null) {
            return out;
        }
        if (!list.isArray()) {
            throw new SuiteFormatException(file, line, "extraMetrics", "must be a list of names from " + MetricNames.ON_REQUEST);
        }
        for (JsonNode m : list) {
            if (!m.isTextual() || !MetricNames.ON_REQUEST.contains(m.asText())) {
                throw new SuiteFormatException(file, line, "extraMetrics", "unknown metric " + m + "; use names from "
                        + MetricNames.ON_REQUEST);
            }
            out.add(m.asText());
        }
        return out;
    }

    private static EvalCase evalCase(JsonNode row, Header header, String file, int line) {
        String id = requiredText(row, "id", file, line);
        String prompt = requiredText(row, "prompt", file, line);
        String lang = requiredText(row, "lang", file, line);
        if (!LANGS.contains(lang)) {
            throw new SuiteFormatException(file, line, "lang", "must be one of " + LANGS.stream().sorted().toList()
                    + ", got '" + lang + "'");
        }
        Expectation expect = Expectation.ANSWER;
        if (row.has("expect")) {
            String e = requiredText(row, "expect", file, line);
            try {
                expect = Expectation.valueOf(e.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw new SuiteFormatException(file, line, "expect", "must be 'answer' or 'refuse', got '" + e + "'");
            }
        } else if (header.kind == SuiteKind.RED_TEAM) {
            throw new SuiteFormatException(file, line, "expect", "a red-team case must say 'answer' or 'refuse'");
        }
        List<String> references = references(row, header, file, line);
        String category = row.has("category") ? requiredText(row, "category", file, line) : "";
        return new EvalCase(id, prompt, lang, expect, references, category);
    }

    private static List<String> references(JsonNode row, Header header, String file, int line) {
        JsonNode refs = row.get("references");
        List<String> out = new ArrayList<>();
        if (refs != null) {
            if (!refs.isArray()) {
                throw new SuiteFormatException(file, line, "references", "must be a list of strings");
            }
            for (JsonNode r : refs) {
                if (!r.isTextual()) {
                    throw new SuiteFormatException(file, line, "references", "must be a list of strings, found " + r);
                }
                out.add(r.asText());
            }
        }
        boolean needsReferences = header.kind != SuiteKind.RED_TEAM;
        if (needsReferences && out.isEmpty()) {
            throw new SuiteFormatException(file, line, "references", "a " + header.kind.name().toLowerCase(Locale.ROOT)
                    + " case needs at least one reference");
        }
        if (header.referencesPerCase != null && out.size() != header.referencesPerCase) {
            throw new SuiteFormatException(file, line, "references", "has " + out.size()
                    + " references but the header's referencesPerCase is " + header.referencesPerCase);
        }
        return out;
    }

    private static String requiredText(JsonNode node, String field, String file, int line) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new SuiteFormatException(file, line, field, "is missing");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new SuiteFormatException(file, line, field, "must be a non-empty string");
        }
        return v.asText();
    }
}

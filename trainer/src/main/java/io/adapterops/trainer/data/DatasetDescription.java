package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of LLaMA-Factory's {@code dataset_info.json}, read as LLaMA-Factory's
 * {@code data/parser.py} and {@code data/converter.py} read it, so rows with renamed columns and tags
 * mean here what they mean there. Honoured keys: {@code file_name}, {@code formatting}
 * ({@code alpaca} or {@code sharegpt}), {@code ranking}, {@code columns} and {@code tags}; any
 * other key is refused by name (hub and script sources, subsets, splits, sampling, and the image,
 * video, audio and KTO columns, which training here cannot use). As in LLaMA-Factory, an entry
 * that lists {@code columns} reads only the columns it lists: {@code system}, {@code history} and
 * {@code tools} are read only when named, and without {@code columns} the defaults are
 * {@code instruction}/{@code input}/{@code output} (alpaca) or {@code conversations} (sharegpt).
 * Rows are rewritten into this module's own layout before they are parsed, and problems are
 * reported under the row's own column and tag names.
 */
public final class DatasetDescription {
    public static final List<String> KEYS = List.of("file_name", "formatting", "ranking", "columns", "tags");
    private static final List<String> ALPACA_COLUMNS = List.of("prompt", "query", "response", "history", "system",
            "tools", "chosen", "rejected");
    private static final List<String> SHAREGPT_COLUMNS = List.of("messages", "system", "tools", "chosen", "rejected");
    private static final List<String> TAGS = List.of("role_tag", "content_tag", "user_tag", "assistant_tag",
            "observation_tag", "function_tag", "system_tag");
    /** Each LLaMA-Factory column and the field this module's parsers read it as. */
    private static final Map<String, String> OWN_FIELD = Map.of("prompt", "instruction", "query", "input",
            "response", "output", "history", "history", "system", "system", "tools", "tools", "chosen", "chosen",
            "rejected", "rejected", "messages", "conversations");

    private final String fileName;
    private final DatasetFormat format;
    private final boolean ranking;
    /** LLaMA-Factory column name → the row's column, or null when not read. */
    private final Map<String, String> columns = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();

    private DatasetDescription(String fileName, DatasetFormat format, boolean ranking) {
        this.fileName = fileName;
        this.format = format;
        this.ranking = ranking;
    }

    /**
     * The entry to read by: {@code info} itself when it is one entry (it holds an entry's keys, or
     * nothing), else its entry called {@code name}, as in a whole dataset_info.json.
     */
    public static JsonNode entry(JsonNode info, String name) {
        if (info == null || !info.isObject()) {
            throw new IllegalArgumentException("dataset_info is a JSON object: one entry, or a whole dataset_info.json");
        }
        if (info.isEmpty() || KEYS.stream().anyMatch(info::has)) {
            return info;
        }
        JsonNode entry = info.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("dataset_info has no entry '" + name + "' (entries: "
                    + String.join(", ", (Iterable<String>) info::fieldNames) + "); name one with entry=");
        }
        return entry;
    }

    /** Reads one entry; a key that is not honoured is refused by name ({@link IllegalArgumentException}). */
    public static DatasetDescription parse(JsonNode entry) {
        if (entry == null || !entry.isObject()) {
            throw new IllegalArgumentException("a dataset_info.json entry is a JSON object");
        }
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("dataset_info key '" + key + "' is not supported: "
                        + switch (key) {
                            case "hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name" ->
                                    "only the uploaded file is read";
                            default -> "the keys honoured are " + String.join(", ", KEYS);
                        });
            }
        }
        String formatting = text(entry, "formatting", "alpaca");
        DatasetFormat format = switch (formatting) {
            case "alpaca" -> DatasetFormat.ALPACA;
            case "sharegpt" -> DatasetFormat.SHAREGPT;
            default -> throw new IllegalArgumentException("dataset_info formatting '" + formatting
                    + "' is not supported: use alpaca or sharegpt");
        };
        JsonNode ranking = entry.get("ranking");
        if (ranking != null && !ranking.isBoolean()) {
            throw new IllegalArgumentException("dataset_info ranking must be true or false");
        }
        DatasetDescription d = new DatasetDescription(text(entry, "file_name", null), format,
                ranking != null && ranking.asBoolean());
        List<String> known = format == DatasetFormat.ALPACA ? ALPACA_COLUMNS : SHAREGPT_COLUMNS;
        JsonNode columns = entry.get("columns");
        if (columns == null) {
            if (format == DatasetFormat.ALPACA) {
                d.columns.putAll(Map.of("prompt", "instruction", "query", "input", "response", "output"));
            } else {
                d.columns.put("messages", "conversations");
            }
        } else {
            d.columns.putAll(names(columns, "columns", known, formatting));
        }
        JsonNode tags = entry.get("tags");
        if (tags != null && format != DatasetFormat.SHAREGPT) {
            throw new IllegalArgumentException("dataset_info tags apply to sharegpt formatting only");
        }
        Map<String, String> defaults = Map.of("role_tag", "from", "content_tag", "value", "user_tag", "human",
                "assistant_tag", "gpt", "observation_tag", "observation", "function_tag", "function_call",
                "system_tag", "system");
        d.tags.putAll(tags == null ? defaults : names(tags, "tags", TAGS, formatting));
        if (d.ranking && (d.columns.get("chosen") == null || d.columns.get("rejected") == null)) {
            throw new IllegalArgumentException("dataset_info ranking: true needs columns.chosen and columns.rejected");
        }
        if (format == DatasetFormat.ALPACA && !d.ranking && d.columns.get("response") == null) {
            throw new IllegalArgumentException("dataset_info columns name no response: rows with only a prompt"
                    + " (pre-training text) cannot train SFT or DPO here; name the response column");
        }
        if (format == DatasetFormat.SHAREGPT && (d.columns.get("messages") == null || d.tags.get("role_tag") == null
                || d.tags.get("content_tag") == null)) {
            throw new IllegalArgumentException("dataset_info sharegpt needs columns.messages, tags.role_tag and"
                    + " tags.content_tag");
        }
        return d;
    }

    private static Map<String, String> names(JsonNode node, String what, List<String> known, String formatting) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("dataset_info " + what + " is a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!known.contains(key)) {
                throw new IllegalArgumentException("dataset_info " + what + "." + key + " is not supported: " + switch (key) {
                    case "images", "videos", "audios" -> key + " are not supported: the models trained here are text-only";
                    case "kto_tag" -> "KTO is not supported: give preference pairs (ranking: true) for DPO";
                    default -> "the " + what + " honoured for " + formatting + " are " + String.join(", ", known);
                });
            }
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("dataset_info " + what + "." + key + " must be a string");
            }
            out.put(key, e.getValue().asText());
        }
        return out;
    }

    private static String text(JsonNode entry, String key, String fallback) {
        JsonNode v = entry.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("dataset_info " + key + " must be a string");
        }
        return v.asText();
    }

    /** The {@code file_name} the entry names, or null. */
    public String fileName() {
        return fileName;
    }

    public DatasetFormat format() {
        return format;
    }

    public DatasetKind kind() {
        return ranking ? DatasetKind.PREFERENCE : DatasetKind.SFT;
    }

    /** The row in this module's layout: the columns the entry reads under this module's names. */
    ObjectNode rewrite(JsonNode row, String categoryField) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        JsonNode category = row.get(categoryField);
        if (category != null) {
            out.set(categoryField, category);
        }
        if (format == DatasetFormat.ALPACA) {
            for (String column : List.of("prompt", "query", "history", "system", "chosen", "rejected", "response")) {
                copy(row, column, out);
            }
            return out;
        }
        copy(row, "tools", out);
        copy(row, "system", out);
        JsonNode messages = columns.get("messages") == null ? null : row.get(columns.get("messages"));
        if (messages != null && messages.isArray()) {
            ArrayNode turns = out.putArray("conversations");
            for (int i = 0; i < messages.size(); i++) {
                turns.add(turn(messages.get(i), i == 0));
            }
        } else if (messages != null) {
            out.set("conversations", messages);
        }
        if (ranking) {
            for (String reply : List.of("chosen", "rejected")) {
                JsonNode v = row.get(columns.get(reply));
                if (v != null) {
                    out.set(reply, v.isObject() ? turn(v, false) : v);
                }
            }
        }
        return out;
    }

    private void copy(JsonNode row, String column, ObjectNode out) {
        String name = columns.get(column);
        JsonNode v = name == null ? null : row.get(name);
        if (v != null) {
            out.set(OWN_FIELD.get(column), v);
        }
    }

    /**
     * A message under this module's ShareGPT tags, role values mapped from the entry's; a first
     * message in the system tag's role is the system prompt, as in LLaMA-Factory.
     */
    private JsonNode turn(JsonNode m, boolean first) {
        if (!m.isObject()) {
            return m;
        }
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        JsonNode role = m.get(tags.get("role_tag"));
        if (role != null) {
            boolean system = first && role.isTextual() && role.asText().equals(tags.get("system_tag"));
            t.set("from", !role.isTextual() ? role
                    : JsonNodeFactory.instance.textNode(system ? "system" : ownRole(role.asText())));
        }
        JsonNode content = m.get(tags.get("content_tag"));
        if (content != null) {
            t.set("value", content);
        }
        return t;
    }

    private String ownRole(String role) {
        for (Map.Entry<String, String> e : Map.of("user_tag", "human", "assistant_tag", "gpt",
                "observation_tag", "observation", "function_tag", "function_call").entrySet()) {
            if (role.equals(tags.get(e.getKey()))) {
                return e.getValue();
            }
        }
        return role;
    }

    /** A problem's field path in this module's names, put back into the row's own names. */
    String rowField(String path) {
        if (path == null) {
            return null;
        }
        int end = 0;
        while (end < path.length() && path.charAt(end) != '[' && path.charAt(end) != '.') {
            end++;
        }
        String head = path.substring(0, end);
        String rest = path.substring(end);
        for (Map.Entry<String, String> e : OWN_FIELD.entrySet()) {
            if (e.getValue().equals(head) && columns.get(e.getKey()) != null
                    && (format == DatasetFormat.ALPACA ? ALPACA_COLUMNS : SHAREGPT_COLUMNS).contains(e.getKey())) {
                head = columns.get(e.getKey());
                break;
            }
        }
        if (format == DatasetFormat.SHAREGPT) {
            rest = rest.replaceAll("\\.from$", "." + tags.get("role_tag")).replaceAll("\\.value$", "." + tags.get("content_tag"));
        }
        return head + rest;
    }
}

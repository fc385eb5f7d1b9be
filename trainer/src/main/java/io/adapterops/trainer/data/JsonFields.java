package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads typed fields from a parsed row, reporting each missing or mistyped one by its path. */
final class JsonFields {
    private JsonFields() {
    }

    /** The string at {@code node.name}, or null after reporting it missing or not a string. */
    static String required(JsonNode node, String name, String path, RowProblems problems) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            problems.add(path, "missing field");
            return null;
        }
        return text(v, path, problems);
    }

    /** The string at {@code node.name}, or null when absent (a wrong type is still reported). */
    static String optional(JsonNode node, String name, String path, RowProblems problems) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : text(v, path, problems);
    }

    /** Tool schemas come as a JSON string or as inline JSON; both are kept as compact JSON text. */
    static String tools(JsonNode row) {
        JsonNode v = row.get("tools");
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    static String text(JsonNode v, String path, RowProblems problems) {
        if (!v.isTextual()) {
            problems.add(path, "expected a string, got " + v.getNodeType().name().toLowerCase());
            return null;
        }
        return v.asText();
    }

    static boolean isBlank(String s) {
        return s != null && s.isBlank();
    }
}

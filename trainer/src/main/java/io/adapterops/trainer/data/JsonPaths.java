package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/** Finds where in a parsed row a piece of text sits, to name the field in an error. */
final class JsonPaths {
    private JsonPaths() {
    }

    /** The path of the first string value or field name containing {@code c}, or null. */
    static String firstContaining(JsonNode node, char c) {
        return find(node, c, "");
    }

    private static String find(JsonNode node, char c, String path) {
        if (node.isTextual()) {
            return node.asText().indexOf(c) >= 0 ? path : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String hit = find(node.get(i), c, path + "[" + i + "]");
                if (hit != null) {
                    return hit;
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (e.getKey().indexOf(c) >= 0) {
                return child;
            }
            String hit = find(e.getValue(), c, child);
            if (hit != null) {
                return hit;
            }
        }
        return null;
    }
}

package io.adapterops.evaluator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A JSON Schema (draft-07) checker for the subset suites use to describe structured replies:
 * type (one or a list), enum, const, required, properties, additionalProperties (boolean or
 * schema), items (one schema), minItems/maxItems, minLength/maxLength, pattern, minimum/maximum,
 * exclusiveMinimum/exclusiveMaximum (numbers), anyOf, oneOf, allOf, not. A schema that uses any other keyword is
 * refused when the checker is built, so a suite never silently passes a rule nobody checks.
 */
public final class JsonSchemaCheck {

    private static final List<String> SUPPORTED = List.of("$schema", "$id", "title", "description", "type", "enum",
            "const", "required", "properties", "additionalProperties", "items", "minItems", "maxItems", "minLength",
            "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf",
            "allOf", "not", "default", "examples");

    private final JsonNode schema;

    public JsonSchemaCheck(JsonNode schema) {
        checkKeywords(schema, "#");
        this.schema = schema;
    }

    /** @return the violations, each with a JSON pointer; empty when the value conforms */
    public List<String> violations(JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "", out);
        return out;
    }

    public boolean conforms(String reply) {
        return JsonValidity.parse(reply).map(v -> violations(v).isEmpty()).orElse(false);
    }

    private static void checkKeywords(JsonNode s, String where) {
        if (s.isBoolean()) {
            return;
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException("schema at " + where + " must be an object or boolean");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SUPPORTED.contains(k)) {
                throw new IllegalArgumentException("schema keyword '" + k + "' at " + where + " is not supported");
            }
        }
        if (s.has("properties")) {
            s.get("properties").fields().forEachRemaining(e -> checkKeywords(e.getValue(), where + "/properties/" + e.getKey()));
        }
        if (s.has("additionalProperties") && s.get("additionalProperties").isObject()) {
            checkKeywords(s.get("additionalProperties"), where + "/additionalProperties");
        }
        if (s.has("items")) {
            checkKeywords(s.get("items"), where + "/items");
        }
        if (s.has("not")) {
            checkKeywords(s.get("not"), where + "/not");
        }
        for (String k : List.of("anyOf", "oneOf", "allOf")) {
            if (s.has(k)) {
                for (int i = 0; i < s.get(k).size(); i++) {
                    checkKeywords(s.get(k).get(i), where + "/" + k + "/" + i);
                }
            }
        }
    }

    private void check(JsonNode s, JsonNode v, String at, List<String> out) {
        if (s.isBoolean()) {
            if (!s.asBoolean()) {
                out.add(at + ": no value is allowed here");
            }
            return;
        }
        String where = at.isEmpty() ? "/" : at;
        if (s.has("type") && !typeMatches(s.get("type"), v)) {
            out.add(where + ": expected type " + s.get("type") + " but got " + typeOf(v));
            return;
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= jsonEquals(e, v);
            }
            if (!found) {
                out.add(where + ": value " + v + " is not one of " + s.get("enum"));
            }
        }
        if (s.has("const") && !jsonEquals(s.get("const"), v)) {
            out.add(where + ": value must be " + s.get("const"));
        }
        if (v.isObject()) {
            checkObject(s, v, at, out);
        }
        if (v.isArray()) {
            if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
                out.add(where + ": fewer than " + s.get("minItems").asInt() + " items");
            }
            if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
                out.add(where + ": more than " + s.get("maxItems").asInt() + " items");
            }
            if (s.has("items")) {
                for (int i = 0; i < v.size(); i++) {
                    check(s.get("items"), v.get(i), at + "/" + i, out);
                }
            }
        }
        if (v.isTextual()) {
            int len = v.asText().codePointCount(0, v.asText().length());
            if (s.has("minLength") && len < s.get("minLength").asInt()) {
                out.add(where + ": shorter than " + s.get("minLength").asInt() + " characters");
            }
            if (s.has("maxLength") && len > s.get("maxLength").asInt()) {
                out.add(where + ": longer than " + s.get("maxLength").asInt() + " characters");
            }
            if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
                out.add(where + ": does not match pattern " + s.get("pattern").asText());
            }
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            if (s.has("minimum") && d < s.get("minimum").asDouble()) {
                out.add(where + ": below minimum " + s.get("minimum"));
            }
            if (s.has("maximum") && d > s.get("maximum").asDouble()) {
                out.add(where + ": above maximum " + s.get("maximum"));
            }
            if (s.has("exclusiveMinimum") && d <= s.get("exclusiveMinimum").asDouble()) {
                out.add(where + ": not above " + s.get("exclusiveMinimum"));
            }
            if (s.has("exclusiveMaximum") && d >= s.get("exclusiveMaximum").asDouble()) {
                out.add(where + ": not below " + s.get("exclusiveMaximum"));
            }
        }
        checkCombinators(s, v, at, where, out);
    }

    private void checkObject(JsonNode s, JsonNode v, String at, List<String> out) {
        String where = at.isEmpty() ? "/" : at;
        if (s.has("required")) {
            for (JsonNode r : s.get("required")) {
                if (!v.has(r.asText())) {
                    out.add(where + ": missing required property '" + r.asText() + "'");
                }
            }
        }
        JsonNode props = s.get("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String child = at + "/" + e.getKey();
            if (props != null && props.has(e.getKey())) {
                check(props.get(e.getKey()), e.getValue(), child, out);
            } else if (s.has("additionalProperties")) {
                JsonNode extra = s.get("additionalProperties");
                if (extra.isBoolean() && !extra.asBoolean()) {
                    out.add(where + ": property '" + e.getKey() + "' is not allowed");
                } else if (extra.isObject()) {
                    check(extra, e.getValue(), child, out);
                }
            }
        }
    }

    private void checkCombinators(JsonNode s, JsonNode v, String at, String where, List<String> out) {
        if (s.has("allOf")) {
            for (JsonNode sub : s.get("allOf")) {
                check(sub, v, at, out);
            }
        }
        if (s.has("anyOf") && countMatching(s.get("anyOf"), v, at) == 0) {
            out.add(where + ": matches none of anyOf");
        }
        if (s.has("oneOf")) {
            int n = countMatching(s.get("oneOf"), v, at);
            if (n != 1) {
                out.add(where + ": matches " + n + " of oneOf, expected exactly 1");
            }
        }
        if (s.has("not") && countMatching(List.of(s.get("not")), v, at) == 1) {
            out.add(where + ": matches the schema under 'not'");
        }
    }

    private int countMatching(Iterable<JsonNode> schemas, JsonNode v, String at) {
        int n = 0;
        for (JsonNode sub : schemas) {
            List<String> tmp = new ArrayList<>();
            check(sub, v, at, tmp);
            if (tmp.isEmpty()) {
                n++;
            }
        }
        return n;
    }

    private static boolean typeMatches(JsonNode type, JsonNode v) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, v)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
            default -> throw new IllegalArgumentException("unknown JSON Schema type '" + type.asText() + "'");
        };
    }

    private static String typeOf(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isNull()) {
            return "null";
        }
        return v.isIntegralNumber() ? "integer" : "number";
    }

    /** JSON equality where 1 and 1.0 are the same number, as the spec says. */
    private static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}

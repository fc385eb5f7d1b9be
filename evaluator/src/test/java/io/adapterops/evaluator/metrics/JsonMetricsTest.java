package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The 'required' case is the first group of the official JSON-Schema-Test-Suite (repository
 * json-schema-org/JSON-Schema-Test-Suite, tests/draft7/required.json); the combined case below is ours.
 */
class JsonMetricsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonSchemaCheck schema(String json) throws Exception {
        return new JsonSchemaCheck(MAPPER.readTree(json));
    }

    @Test
    void onlyAWholeStrictJsonValueIsValid() {
        assertTrue(JsonValidity.isValid("  {\"a\": [1, 2.5, null, true]}\n"));
        assertTrue(JsonValidity.isValid("\"just a string\""));
        assertFalse(JsonValidity.isValid("{\"a\": 1} trailing words"));
        assertFalse(JsonValidity.isValid("{'a': 1}"));
        assertFalse(JsonValidity.isValid("{\"a\": 1, // comment\n}"));
        assertFalse(JsonValidity.isValid("Here is the JSON: {\"a\": 1}"));
        assertFalse(JsonValidity.isValid(""));
    }

    @Test
    void requiredPropertiesMustBePresent() throws Exception {
        JsonSchemaCheck s = schema("{\"properties\": {\"foo\": {}, \"bar\": {}}, \"required\": [\"foo\"]}");
        assertTrue(s.conforms("{\"foo\": 1}"));
        List<String> v = s.violations(MAPPER.readTree("{\"bar\": 1}"));
        assertEquals(List.of("/: missing required property 'foo'"), v);
        assertTrue(s.conforms("[]"), "required ignores non-objects");
    }

    @Test
    void typesAdditionalPropertiesEnumAndLengthsAreChecked() throws Exception {
        JsonSchemaCheck s = schema("""
                {"type": "object", "additionalProperties": false,
                 "properties": {"intent": {"enum": ["refund", "cancel"]},
                                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                                "reply": {"type": "string", "minLength": 2},
                                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                                "count": {"type": "integer"}},
                 "required": ["intent", "reply"]}""");
        assertTrue(s.conforms("{\"intent\": \"refund\", \"reply\": \"好的\", \"confidence\": 0.9, \"count\": 1.0}"));
        List<String> violations = s.violations(MAPPER.readTree("{\"intent\": \"upgrade\", \"reply\": \"x\","
                + " \"confidence\": 2, \"tags\": [\"a\", 3, \"c\"], \"count\": 1.5, \"extra\": true}"));
        assertEquals(7, violations.size(), violations.toString());
        assertTrue(violations.contains("/: property 'extra' is not allowed"));
        assertTrue(violations.contains("/tags/1: expected type \"string\" but got integer"));
        assertTrue(violations.contains("/count: expected type \"integer\" but got number"));
    }

    @Test
    void invalidJsonNeverConforms() throws Exception {
        assertFalse(schema("{}").conforms("not json"));
    }

    @Test
    void unsupportedKeywordsAreRefusedRatherThanIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> schema("{\"properties\": {\"a\": {\"$ref\": \"#/definitions/x\"}}}"));
        assertEquals("schema keyword '$ref' at #/properties/a is not supported", e.getMessage());
    }

    @Test
    void lengthStatisticsCountCharactersNotBytes() {
        LengthStats s = LengthStats.of(List.of("ab", "你好世界", "abcdefgh", "x"));
        assertEquals(4, s.count());
        assertEquals(1, s.min());
        assertEquals(8, s.max());
        assertEquals(3.75, s.mean(), 1e-9);
        assertEquals(3.0, s.p50(), 1e-9); // sorted 1,2,4,8 → halfway between 2 and 4
        assertEquals(7.4, s.p95(), 1e-9); // position 2.85 → 4 + 0.85·4
        assertThrows(IllegalArgumentException.class, () -> LengthStats.of(List.of()));
    }
}

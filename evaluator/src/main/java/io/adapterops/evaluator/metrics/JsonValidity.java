package io.adapterops.evaluator.metrics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Whether a reply is one JSON value and nothing else (surrounding whitespace allowed). Strict RFC
 * 8259: no comments, no single quotes, no trailing text, so "valid" means a client can parse it.
 */
public final class JsonValidity {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS);

    private JsonValidity() {
    }

    public static Optional<JsonNode> parse(String reply) {
        String trimmed = reply.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(STRICT.readTree(trimmed));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    public static boolean isValid(String reply) {
        return parse(reply).isPresent();
    }
}

package io.adapterops.service.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.service.serving.CompletionRequest.Endpoint;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenAI request bodies the way OpenAI does: a wrong type, a value out of range or an
 * unsupported parameter is a 400 naming the parameter ({@code param}), never silently ignored.
 */
final class OpenAiRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> COMMON = Set.of("model", "max_tokens", "temperature", "top_p", "seed", "stop",
            "n", "user", "stream", "stream_options");
    private static final Set<String> CHAT_ONLY = Set.of("messages", "max_completion_tokens");
    private static final Set<String> COMPLETION_ONLY = Set.of("prompt");
    private static final Set<String> SYSTEM_ROLES = Set.of("system", "developer");

    private OpenAiRequests() {
    }

    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw OpenAiError.invalid(null, "The request body is empty; send a JSON object.");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw OpenAiError.invalid(null, "The request body must be a JSON object.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw OpenAiError.invalid(null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage());
        }
    }

    static CompletionRequest read(Endpoint endpoint, String body) {
        JsonNode n = parse(body);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            boolean known = COMMON.contains(f) || (endpoint == Endpoint.CHAT ? CHAT_ONLY : COMPLETION_ONLY).contains(f);
            if (!known && !n.get(f).isNull()) {
                throw OpenAiError.invalid(f, "Unrecognized or unsupported request argument supplied: " + f);
            }
        }
        String model = string(n, "model", true);
        Integer maxTokens = integer(n, endpoint == Endpoint.CHAT && present(n, "max_completion_tokens")
                ? "max_completion_tokens" : "max_tokens", 1, Integer.MAX_VALUE);
        double temperature = number(n, "temperature", 0, 2, 1);
        double topP = number(n, "top_p", 0, 1, 1);
        if (topP == 0) {
            throw OpenAiError.invalid("top_p", "Invalid 'top_p': must be greater than 0.");
        }
        Integer nChoices = integer(n, "n", 1, Integer.MAX_VALUE);
        if (nChoices != null && nChoices != 1) {
            throw OpenAiError.invalid("n", "Invalid 'n': only n = 1 is supported, got " + nChoices + ".");
        }
        Long seed = present(n, "seed") ? longValue(n, "seed") : null;
        List<String> stop = stop(n);
        boolean stream = bool(n, "stream");
        boolean includeUsage = false;
        if (present(n, "stream_options")) {
            JsonNode o = n.get("stream_options");
            if (!o.isObject()) {
                throw OpenAiError.invalid("stream_options", "Invalid type for 'stream_options': expected an object.");
            }
            if (!stream) {
                throw OpenAiError.invalid("stream_options", "The 'stream_options' parameter is only allowed when "
                        + "'stream' is enabled.");
            }
            includeUsage = bool(o, "include_usage");
        }
        String user = string(n, "user", false);
        if (endpoint == Endpoint.CHAT) {
            return new CompletionRequest(endpoint, model, messages(n), null, maxTokens, temperature, topP, seed, stop,
                    stream, includeUsage, user);
        }
        return new CompletionRequest(endpoint, model, null, prompt(n), maxTokens, temperature, topP, seed, stop, stream,
                includeUsage, user);
    }

    private static boolean present(JsonNode n, String f) {
        return n.has(f) && !n.get(f).isNull();
    }

    private static String string(JsonNode n, String f, boolean required) {
        if (!present(n, f)) {
            if (required) {
                throw OpenAiError.invalid(f, "Missing required parameter: '" + f + "'.");
            }
            return null;
        }
        if (!n.get(f).isTextual()) {
            throw OpenAiError.invalid(f, "Invalid type for '" + f + "': expected a string, but got "
                    + n.get(f).getNodeType().name().toLowerCase() + " instead.");
        }
        return n.get(f).asText();
    }

    private static Integer integer(JsonNode n, String f, int min, int max) {
        if (!present(n, f)) {
            return null;
        }
        JsonNode v = n.get(f);
        if (!v.isIntegralNumber()) {
            throw OpenAiError.invalid(f, "Invalid type for '" + f + "': expected an integer, but got "
                    + v.getNodeType().name().toLowerCase() + " instead.");
        }
        if (!v.canConvertToInt() || v.asInt() > max) {
            throw OpenAiError.invalid(f, "Invalid '" + f + "': integer above maximum value. Expected a value <= "
                    + max + ", but got " + v.asText() + " instead.");
        }
        if (v.asInt() < min) {
            throw OpenAiError.invalid(f, "Invalid '" + f + "': integer below minimum value. Expected a value >= "
                    + min + ", but got " + v.asText() + " instead.");
        }
        return v.asInt();
    }

    private static long longValue(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw OpenAiError.invalid(f, "Invalid type for '" + f + "': expected an integer.");
        }
        return v.asLong();
    }

    private static double number(JsonNode n, String f, double min, double max, double fallback) {
        if (!present(n, f)) {
            return fallback;
        }
        JsonNode v = n.get(f);
        if (!v.isNumber()) {
            throw OpenAiError.invalid(f, "Invalid type for '" + f + "': expected a number, but got "
                    + v.getNodeType().name().toLowerCase() + " instead.");
        }
        if (v.asDouble() < min || v.asDouble() > max) {
            throw OpenAiError.invalid(f, "Invalid '" + f + "': expected a value between " + min + " and " + max
                    + ", but got " + v.asText() + " instead.");
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode n, String f) {
        if (!present(n, f)) {
            return false;
        }
        if (!n.get(f).isBoolean()) {
            throw OpenAiError.invalid(f, "Invalid type for '" + f + "': expected a boolean.");
        }
        return n.get(f).asBoolean();
    }

    private static List<String> stop(JsonNode n) {
        if (!present(n, "stop")) {
            return List.of();
        }
        JsonNode v = n.get("stop");
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray() && v.size() <= 4) {
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw OpenAiError.invalid("stop", "Invalid type for 'stop': expected strings.");
                }
                out.add(s.asText());
            }
        } else {
            throw OpenAiError.invalid("stop", "Invalid 'stop': expected a string or an array of up to 4 strings.");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw OpenAiError.invalid("stop", "Invalid 'stop': empty strings are not allowed.");
        }
        return out;
    }

    private static String prompt(JsonNode n) {
        if (!present(n, "prompt")) {
            throw OpenAiError.invalid("prompt", "Missing required parameter: 'prompt'.");
        }
        JsonNode v = n.get("prompt");
        if (v.isArray() && v.size() == 1 && v.get(0).isTextual()) {
            v = v.get(0);
        }
        if (!v.isTextual()) {
            throw OpenAiError.invalid("prompt", "Invalid 'prompt': expected a string (or an array of one string).");
        }
        if (v.asText().isEmpty()) {
            throw OpenAiError.invalid("prompt", "Invalid 'prompt': the prompt is empty.");
        }
        return v.asText();
    }

    /**
     * System (or developer) messages first, then user and assistant turns alternating from a user
     * turn, ending with a user turn: the order chat templates are written for.
     */
    private static List<ChatTemplate.Message> messages(JsonNode n) {
        if (!present(n, "messages")) {
            throw OpenAiError.invalid("messages", "Missing required parameter: 'messages'.");
        }
        JsonNode v = n.get("messages");
        if (!v.isArray() || v.isEmpty()) {
            throw OpenAiError.invalid("messages", "Invalid 'messages': expected a non-empty array of messages.");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        String expected = null; // null: system messages may still come
        for (int i = 0; i < v.size(); i++) {
            String param = "messages[" + i + "]";
            JsonNode m = v.get(i);
            if (!m.isObject() || !m.has("role") || !m.get("role").isTextual()) {
                throw OpenAiError.invalid(param + ".role", "Invalid '" + param + "': each message needs a string 'role'.");
            }
            String role = m.get("role").asText();
            String content = content(m.get("content"), param + ".content");
            if (SYSTEM_ROLES.contains(role)) {
                if (expected != null) {
                    throw OpenAiError.invalid(param + ".role", "Invalid '" + param + ".role': a " + role
                            + " message may only come before the first user message.");
                }
                out.add(new ChatTemplate.Message("system", content));
                continue;
            }
            if (!role.equals("user") && !role.equals("assistant")) {
                throw OpenAiError.invalid(param + ".role", "Invalid '" + param + ".role': '" + role
                        + "' is not supported; use system, developer, user or assistant.");
            }
            String want = expected == null ? "user" : expected;
            if (!role.equals(want)) {
                throw OpenAiError.invalid(param + ".role", "Invalid '" + param + ".role': expected a " + want
                        + " message here (user and assistant turns alternate, starting with user), got " + role + ".");
            }
            out.add(new ChatTemplate.Message(role, content));
            expected = role.equals("user") ? "assistant" : "user";
        }
        if (!"assistant".equals(expected)) {
            throw OpenAiError.invalid("messages", "Invalid 'messages': the conversation must end with a user message.");
        }
        return out;
    }

    private static String content(JsonNode c, String param) {
        if (c == null || c.isNull()) {
            throw OpenAiError.invalid(param, "Invalid '" + param + "': a message needs content.");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder s = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(param, "Invalid '" + param + "': only text content parts are supported.");
                }
                s.append(part.get("text").asText());
            }
            return s.toString();
        }
        throw OpenAiError.invalid(param, "Invalid type for '" + param + "': expected a string or an array of text parts.");
    }
}

package io.adapterops.evaluator.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.evaluator.report.Judge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LLM-as-judge over any OpenAI-compatible {@code /chat/completions} endpoint: the rubric is the
 * system message, the prompt, references and reply the user message, temperature 0. The model is
 * asked for {@code {"score": n}}; a bare number 1–10 is accepted too, anything else is an error.
 */
public final class JudgeClient implements Judge {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern SCORE_FIELD = Pattern.compile("\"score\"\\s*:\\s*(\\d+)");
    private static final Pattern BARE_SCORE = Pattern.compile("^\\s*(\\d+)\\s*(?:/\\s*10)?\\s*\\.?\\s*$");

    private final JudgeConfig config;
    private final HttpClient http;
    private final URI endpoint;

    public JudgeClient(JudgeConfig config) {
        if (!config.enabled()) {
            throw new IllegalStateException("the LLM judge is disabled; enable it in configuration first");
        }
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        String base = config.baseUrl().toString();
        this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
    }

    @Override
    public int score(String prompt, String reply, List<String> references) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(prompt, reply, references)));
        if (config.apiKey() != null && !config.apiKey().isEmpty()) {
            request.header("Authorization", "Bearer " + config.apiKey());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new JudgeException("judge at " + endpoint + " could not be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JudgeException("interrupted while waiting for the judge", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new JudgeException("judge at " + endpoint + " answered HTTP " + response.statusCode());
        }
        return parseScore(content(response.body()));
    }

    private String body(String prompt, String reply, List<String> references) {
        StringBuilder user = new StringBuilder("Prompt:\n").append(prompt).append("\n\n");
        for (int i = 0; i < references.size(); i++) {
            user.append("Reference answer ").append(i + 1).append(":\n").append(references.get(i)).append("\n\n");
        }
        user.append("Reply to score:\n").append(reply).append("\n\nAnswer with JSON only: {\"score\": <1-10>}");
        ObjectNode root = MAPPER.createObjectNode();
        root.put("model", config.model());
        root.put("temperature", 0);
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", config.rubric());
        messages.addObject().put("role", "user").put("content", user.toString());
        return root.toString();
    }

    private static String content(String body) {
        try {
            JsonNode content = MAPPER.readTree(body).path("choices").path(0).path("message").path("content");
            if (!content.isTextual()) {
                throw new JudgeException("judge response has no choices[0].message.content");
            }
            return content.asText();
        } catch (IOException e) {
            throw new JudgeException("judge response is not JSON", e);
        }
    }

    static int parseScore(String content) {
        Matcher m = SCORE_FIELD.matcher(content);
        if (!m.find()) {
            m = BARE_SCORE.matcher(content);
            if (!m.find()) {
                throw new JudgeException("judge gave no score: '" + abbreviate(content) + "'");
            }
        }
        int score = Integer.parseInt(m.group(1));
        if (score < 1 || score > 10) {
            throw new JudgeException("judge score " + score + " is outside 1-10");
        }
        return score;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}

package io.adapterops.evaluator.judge;

import java.net.URI;
import java.time.Duration;

/**
 * Where the LLM judge lives and how it scores. Off unless {@code enabled}; the service fills this
 * from configuration (URL and key from the environment), never from a file holding the key.
 *
 * @param baseUrl an OpenAI-compatible API root, e.g. {@code https://host/v1}; {@code /chat/completions} is appended
 */
public record JudgeConfig(boolean enabled, URI baseUrl, String apiKey, String model, String rubric, Duration timeout) {

    public static final String DEFAULT_RUBRIC = """
            Score the assistant's reply from 1 to 10 for how well it answers the user's prompt: correct, \
            complete, concise and safe. 10 is ideal, 1 is useless or harmful. If reference answers are given, \
            a reply that agrees with them in substance deserves a high score even if worded differently.""";

    public JudgeConfig {
        if (enabled) {
            if (baseUrl == null || model == null || model.isBlank()) {
                throw new IllegalArgumentException("an enabled judge needs a base URL and a model name");
            }
            if (rubric == null || rubric.isBlank()) {
                throw new IllegalArgumentException("an enabled judge needs a rubric");
            }
        }
        timeout = timeout == null ? Duration.ofSeconds(60) : timeout;
    }

    public static JudgeConfig disabled() {
        return new JudgeConfig(false, null, null, null, DEFAULT_RUBRIC, null);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "JudgeConfig[enabled=" + enabled + ", baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + (apiKey == null || apiKey.isEmpty() ? "none" : "***") + "]";
    }
}

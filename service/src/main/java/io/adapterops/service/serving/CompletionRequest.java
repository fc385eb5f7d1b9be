package io.adapterops.service.serving;

import io.adapterops.llm.ChatTemplate;
import io.micronaut.core.annotation.Nullable;

import java.util.List;

/**
 * A {@code /v1/chat/completions} or {@code /v1/completions} request, checked: {@code messages} for
 * chat, {@code prompt} for completions; null options take the route's or OpenAI's defaults.
 */
public record CompletionRequest(Endpoint endpoint, String model, @Nullable List<ChatTemplate.Message> messages,
                                @Nullable String prompt, @Nullable Integer maxTokens, double temperature, double topP,
                                @Nullable Long seed, List<String> stop, boolean stream, boolean includeUsage,
                                @Nullable String user) {

    public enum Endpoint {
        CHAT("chat", "chatcmpl-"), COMPLETION("completion", "cmpl-");

        final String tag;
        final String idPrefix;

        Endpoint(String tag, String idPrefix) {
            this.tag = tag;
            this.idPrefix = idPrefix;
        }
    }

    /** The prompt as text, for the request log. */
    public String promptText() {
        if (prompt != null) {
            return prompt;
        }
        StringBuilder s = new StringBuilder();
        for (ChatTemplate.Message m : messages) {
            s.append(m.role()).append(": ").append(m.content()).append('\n');
        }
        return s.toString();
    }
}

package io.adapterops.llm;

import java.util.List;

/**
 * One generation asked of an {@link InferenceEngine}: a tokenized prompt or a conversation (rendered
 * with the model's chat template), and options; {@code options.adapter()} names the adapter that
 * answers (null: the base model). {@code options.useCache()} is ignored: the engine always caches.
 */
public record EngineRequest(int[] promptIds, List<ChatTemplate.Message> messages, GenerationOptions options) {

    public EngineRequest {
        if ((promptIds == null) == (messages == null)) {
            throw new IllegalArgumentException("a request has either prompt token ids or chat messages");
        }
        if (options == null) {
            throw new IllegalArgumentException("a request needs generation options");
        }
        promptIds = promptIds == null ? null : promptIds.clone();
        messages = messages == null ? null : List.copyOf(messages);
    }

    public static EngineRequest ofIds(int[] promptIds, GenerationOptions options) {
        return new EngineRequest(promptIds, null, options);
    }

    public static EngineRequest ofChat(List<ChatTemplate.Message> messages, GenerationOptions options) {
        return new EngineRequest(null, messages, options);
    }
}

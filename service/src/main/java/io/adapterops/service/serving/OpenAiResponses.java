package io.adapterops.service.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.llm.EngineResult;
import io.adapterops.llm.GenerationHandle;
import io.adapterops.service.serving.CompletionRequest.Endpoint;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Writes OpenAI's response objects: {@code chat.completion} / {@code text_completion}, and for
 * {@code stream: true} their chunks as server-sent events ending in {@code data: [DONE]}, with a
 * usage chunk first when {@code stream_options.include_usage} asks for one. A client that goes away,
 * streaming or not, cancels its generation: the engine drops the row at its next step.
 */
@Singleton
public class OpenAiResponses {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ExecutorService blocking;

    public OpenAiResponses(@Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.blocking = blocking;
    }

    /** Waits for the recorded result; the engine's failure is rethrown as it was. */
    Completions.Finished await(Completions.Started s) {
        try {
            return s.finished().get();
        } catch (InterruptedException e) {
            s.handle().cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the engine", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /**
     * The recorded result without holding a thread while the engine works. The recording's future
     * is never cancelled from here, so the row is always logged and the caller's budget returned.
     */
    Mono<Completions.Finished> result(Completions.Started s) {
        return Mono.fromFuture(s.finished(), true).onErrorMap(OpenAiResponses::unwrap);
    }

    private static RuntimeException unwrap(Throwable e) {
        Throwable cause = e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e;
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }

    Map<String, Object> body(Completions.Started s, Completions.Finished f) {
        EngineResult r = f.result();
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (s.request().endpoint() == Endpoint.CHAT) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", "assistant");
            message.put("content", r.text());
            message.put("refusal", null);
            choice.put("message", message);
            choice.put("logprobs", null);
        } else {
            choice.put("text", r.text());
            choice.put("logprobs", null);
        }
        choice.put("finish_reason", Completions.finishReason(r.finishReason()));
        Map<String, Object> body = envelope(s, s.request().endpoint() == Endpoint.CHAT ? "chat.completion"
                : "text_completion");
        body.put("choices", List.of(choice));
        body.put("usage", usage(r));
        return body;
    }

    private static Map<String, Object> envelope(Completions.Started s, String object) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", s.id());
        body.put("object", object);
        body.put("created", s.created());
        body.put("model", s.request().model());
        body.put("system_fingerprint", s.member().engineName());
        return body;
    }

    private static Map<String, Object> usage(EngineResult r) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", r.promptTokens());
        usage.put("completion_tokens", r.completionTokens());
        usage.put("total_tokens", r.promptTokens() + r.completionTokens());
        return usage;
    }

    Flux<Event<String>> stream(Completions.Started s) {
        return Flux.create(sink -> {
            sink.onCancel(s.handle()::cancel);
            blocking.execute(() -> pump(s, sink));
        });
    }

    private void pump(Completions.Started s, FluxSink<Event<String>> sink) {
        boolean chat = s.request().endpoint() == Endpoint.CHAT;
        try {
            if (chat) {
                sink.next(event(chunk(s, Map.of("role", "assistant", "content", ""), null)));
            }
            GenerationHandle.Token t;
            while ((t = s.handle().next()) != null) {
                if (sink.isCancelled()) {
                    s.handle().cancel();
                } else if (!t.text().isEmpty()) {
                    sink.next(event(chunk(s, chat ? Map.of("content", t.text()) : t.text(), null)));
                }
            }
            Completions.Finished f = await(s);
            sink.next(event(chunk(s, chat ? Map.of() : "", Completions.finishReason(f.result().finishReason()))));
            if (s.request().includeUsage()) {
                Map<String, Object> usage = envelope(s, chat ? "chat.completion.chunk" : "text_completion");
                usage.put("choices", List.of());
                usage.put("usage", usage(f.result()));
                sink.next(event(usage));
            }
            sink.next(Event.of("[DONE]"));
            sink.complete();
        } catch (InterruptedException e) {
            s.handle().cancel();
            Thread.currentThread().interrupt();
            sink.complete();
        } catch (RuntimeException e) {
            sink.next(event(OpenAiError.body("The generation failed: " + e.getMessage(), "server_error", null, null)));
            sink.complete();
        }
    }

    /** A chunk: for chat {@code delta} is the message delta, for completions the text. */
    private static Map<String, Object> chunk(Completions.Started s, Object delta, String finishReason) {
        boolean chat = s.request().endpoint() == Endpoint.CHAT;
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put(chat ? "delta" : "text", delta);
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> body = envelope(s, chat ? "chat.completion.chunk" : "text_completion");
        body.put("choices", List.of(choice));
        return body;
    }

    private static Event<String> event(Map<String, Object> body) {
        try {
            return Event.of(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

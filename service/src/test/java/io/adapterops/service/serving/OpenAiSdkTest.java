package io.adapterops.service.serving;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official OpenAI Java SDK, pointed at the service, works as it does against OpenAI. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {
    private TestServer server;
    private Api api;
    private Api.Served served;
    private OpenAIClient client;
    private String url;

    @BeforeAll
    void start(@TempDir Path dir) {
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.serving.rate-limit.tokens-per-minute", 400);
        server = TestServer.start(props);
        api = new Api(server);
        served = api.servedRoute();
        url = "http://127.0.0.1:" + server.context().getBean(EmbeddedServer.class).getPort() + "/v1";
        client = client(server.token(Api.unique("app"), "inference"));
    }

    private OpenAIClient client(String token) {
        return OpenAIOkHttpClient.builder().baseUrl(url).apiKey(token).maxRetries(0).timeout(Duration.ofSeconds(60))
                .build();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private ChatCompletionCreateParams chat(String model, int maxTokens) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("You are a helpdesk assistant.")
                .addUserMessage("How do I reset my password?").maxCompletionTokens(maxTokens).seed(7).user("u-1")
                .build();
    }

    @Test
    void chatCompletionAnswersWithUsageThroughTheSdk() {
        ChatCompletion c = client.chat().completions().create(chat(served.route(), 8));
        System.out.println("chat: " + c);
        assertTrue(c.id().startsWith("chatcmpl-"), c.id());
        assertEquals(served.route(), c.model());
        assertEquals(1, c.choices().size());
        assertTrue(c.choices().get(0).message().content().isPresent());
        long completion = c.usage().orElseThrow().completionTokens();
        assertTrue(completion >= 1 && completion <= 8, "completion tokens " + completion);
        assertEquals(c.usage().get().promptTokens() + completion, c.usage().get().totalTokens());
    }

    @Test
    void streamedChatArrivesInChunksAndEndsWithUsageWhenAsked() {
        ChatCompletionCreateParams params = chat(served.route(), 6).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        System.out.println("stream: " + chunks.size() + " chunks, last: " + chunks.get(chunks.size() - 1));
        StringBuilder text = new StringBuilder();
        chunks.forEach(ch -> ch.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
        long out = last.usage().orElseThrow().completionTokens();
        assertTrue(out >= 1 && out <= 6, "completion tokens " + out);
        assertTrue(chunks.stream().anyMatch(ch -> !ch.choices().isEmpty() && ch.choices().get(0).finishReason().isPresent()),
                "a chunk carries the finish reason");
        assertEquals(1, chunks.stream().map(ChatCompletionChunk::id).distinct().count(), "one id for all chunks");
    }

    @Test
    void completionsAnswerPlainAndStreamedThroughTheSdk() {
        CompletionCreateParams params = CompletionCreateParams.builder().model(served.route() + "@" + served.version())
                .prompt("The password reset link").maxTokens(5).seed(3).build();
        Completion plain = client.completions().create(params);
        System.out.println("completion: " + plain);
        assertTrue(plain.id().startsWith("cmpl-"), plain.id());
        assertEquals(1, plain.choices().size());
        assertTrue(plain.usage().orElseThrow().completionTokens() <= 5);

        StringBuilder streamed = new StringBuilder();
        int chunks = 0;
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            for (Completion c : (Iterable<Completion>) stream.stream()::iterator) {
                chunks++;
                c.choices().forEach(choice -> streamed.append(choice.text()));
            }
        }
        assertTrue(chunks >= 2, "chunks: " + chunks);
        assertEquals(plain.choices().get(0).text(), streamed.toString(), "same seed, same text, streamed or not");
    }

    @Test
    void modelsListTheRouteAndItsPinnedVersion() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        System.out.println("models: " + ids);
        assertTrue(ids.contains(served.route()), ids::toString);
        assertTrue(ids.contains(served.route() + "@" + served.version()), ids::toString);
    }

    @Test
    void errorsArriveAsTheSdksExceptionTypes() {
        NotFoundException unknown = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(chat("no-such-route", 4)));
        BadRequestException tooMany = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat(served.route(), 100_000)));
        UnauthorizedException badToken = assertThrows(UnauthorizedException.class,
                () -> client("aop_wrong").chat().completions().create(chat(served.route(), 4)));
        PermissionDeniedException viewer = assertThrows(PermissionDeniedException.class,
                () -> client(server.token(Api.unique("viewer"), "viewer")).chat().completions()
                        .create(chat(served.route(), 4)));
        // prompt + max_tokens over the caller's 400 tokens per minute: refused whatever else is running
        // (the reservation a running request holds is CallerTokenBudgetsTest's).
        OpenAIClient burst = client(server.token(Api.unique("burst"), "inference"));
        RateLimitException limited = assertThrows(RateLimitException.class, () -> burst.completions().create(
                CompletionCreateParams.builder().model(served.route()).prompt("x").maxTokens(400).build()));
        for (OpenAIServiceException e : List.of(unknown, tooMany, badToken, viewer, limited)) {
            System.out.println(e.getClass().getSimpleName() + " " + e.statusCode() + " code=" + e.code().orElse(null)
                    + " param=" + e.param().orElse(null) + ": " + e.getMessage());
        }
        assertEquals("model_not_found", unknown.code().orElseThrow());
        assertEquals("model", unknown.param().orElseThrow());
        assertEquals("max_completion_tokens", tooMany.param().orElseThrow(), "the parameter the SDK sent");
        assertEquals("invalid_api_key", badToken.code().orElseThrow());
        assertTrue(viewer.getMessage().contains("inference"), viewer.getMessage());
        assertFalse(limited.headers().values("Retry-After").isEmpty(), "429 says when to retry");
    }
}

package io.adapterops.evaluator.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local stand-in of an OpenAI-compatible endpoint on 127.0.0.1; nothing leaves the machine. */
class JudgeClientTest {

    private HttpServer server;
    private final AtomicReference<String> requestBody = new AtomicReference<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private volatile int status = 200;
    private volatile String content = "{\"score\": 8}";

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            requestBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            String json = new ObjectMapper().createObjectNode().set("choices", new ObjectMapper().createArrayNode()
                    .add(new ObjectMapper().createObjectNode().set("message",
                            new ObjectMapper().createObjectNode().put("role", "assistant").put("content", content))))
                    .toString();
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private JudgeClient client() {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        return new JudgeClient(new JudgeConfig(true, base, "sk-test", "judge-model", "Be strict.", Duration.ofSeconds(5)));
    }

    @Test
    void scoresAReplyWithTheRubricModelAndKey() throws Exception {
        assertEquals(8, client().score("What is 2+2?", "4", List.of("4")));
        JsonNode sent = new ObjectMapper().readTree(requestBody.get());
        assertEquals("judge-model", sent.get("model").asText());
        assertEquals(0, sent.get("temperature").asInt());
        assertEquals("Be strict.", sent.at("/messages/0/content").asText());
        String user = sent.at("/messages/1/content").asText();
        assertTrue(user.contains("What is 2+2?") && user.contains("Reference answer 1:\n4") && user.contains("Reply to score:\n4"), user);
        assertEquals("Bearer sk-test", authorization.get());
    }

    @Test
    void acceptsABareNumberAndRejectsScoresOutsideOneToTen() {
        content = "7/10";
        assertEquals(7, client().score("p", "r", List.of()));
        content = "{\"score\": 11}";
        assertEquals("judge score 11 is outside 1-10",
                assertThrows(JudgeException.class, () -> client().score("p", "r", List.of())).getMessage());
        content = "The reply is pretty good.";
        assertThrows(JudgeException.class, () -> client().score("p", "r", List.of()));
    }

    @Test
    void anHttpErrorIsReportedWithItsStatus() {
        status = 503;
        JudgeException e = assertThrows(JudgeException.class, () -> client().score("p", "r", List.of()));
        assertTrue(e.getMessage().endsWith("answered HTTP 503"), e.getMessage());
    }

    @Test
    void theJudgeIsOffByDefaultAndNeverPrintsItsKey() {
        assertFalse(JudgeConfig.disabled().enabled());
        assertThrows(IllegalStateException.class, () -> new JudgeClient(JudgeConfig.disabled()));
        JudgeConfig c = new JudgeConfig(true, URI.create("http://127.0.0.1:1/v1"), "sk-secret", "m", "r", null);
        assertFalse(c.toString().contains("sk-secret"), c.toString());
    }
}

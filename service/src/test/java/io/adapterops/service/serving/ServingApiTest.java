package io.adapterops.service.serving;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.adapterops.service.cli.RouteChat;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /v1 API over raw HTTP: headers, the event stream, refusals, the request log, feedback, cancels. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingApiTest {
    private TestServer server;
    private Api api;
    private Api.Served served;
    private Inference v1;
    private String app;

    @BeforeAll
    void start(@TempDir Path dir) {
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.serving.max-new-tokens", 600);
        server = TestServer.start(props);
        api = new Api(server);
        served = api.servedRoute();
        v1 = new Inference(server);
        app = server.token(Api.unique("app"), "inference");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Map<String, String> champion() {
        return Map.of("route", served.route(), "adapter", served.adapter(), "version",
                String.valueOf(served.version()), "arm", "champion");
    }

    @Test
    void aResponseNamesItsArmVersionAndRequestId() {
        HttpResponse<String> r = v1.post("/v1/chat/completions", app, v1.chat(served.route(), 2, "u-1", false));
        assertEquals(200, r.statusCode(), r.body());
        System.out.println("headers: " + r.headers().map());
        assertEquals("champion", r.headers().firstValue("x-adapterops-arm").orElseThrow());
        assertEquals(served.adapter(), r.headers().firstValue("x-adapterops-adapter").orElseThrow());
        assertEquals(String.valueOf(served.version()), r.headers().firstValue("x-adapterops-version").orElseThrow());
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertTrue(r.body().contains("\"id\":\"" + id + "\""), r.body());
        Matcher timing = Pattern.compile("engine;dur=(\\d+\\.\\d+), total;dur=(\\d+\\.\\d+)")
                .matcher(r.headers().firstValue("Server-Timing").orElseThrow());
        assertTrue(timing.matches(), timing.toString());
        double engine = Double.parseDouble(timing.group(1));
        double total = Double.parseDouble(timing.group(2));
        assertTrue(engine > 0 && engine <= total, "engine " + engine + " ms within the total " + total + " ms");
    }

    @Test
    void aStreamIsServerSentEventsEndingInDone() {
        HttpResponse<String> r = v1.post("/v1/completions", app, server.json(Map.of("model", served.route(),
                "prompt", "Reset", "max_tokens", 3, "stream", true, "stream_options", Map.of("include_usage", true))));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String> data = r.body().lines().filter(l -> l.startsWith("data:")).toList();
        System.out.println("events:\n" + String.join("\n", data));
        assertEquals("data: [DONE]", data.get(data.size() - 1));
        assertTrue(data.get(data.size() - 2).contains("\"usage\":{\"prompt_tokens\""), data::toString);
    }

    private void refused(int status, String token, String body, String param, String code) {
        long rows = server.rows("inference_request");
        double ok = v1.metric("adapterops_inference_requests_total", Map.of("route", served.route(), "outcome", "ok"));
        HttpResponse<String> r = v1.post("/v1/chat/completions", token, body);
        System.out.println(status + " <- " + body.substring(0, Math.min(70, body.length())) + " : " + r.body());
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) parse(r.body())).get("error");
        assertTrue(error.get("message") instanceof String m && !m.isBlank(), r.body());
        assertTrue(error.containsKey("type") && error.containsKey("param") && error.containsKey("code"), r.body());
        if (param != null) {
            assertEquals(param, error.get("param"), r.body());
        }
        if (code != null) {
            assertEquals(code, error.get("code"), r.body());
        }
        assertEquals(rows, server.rows("inference_request"), "nothing logged as served");
        assertEquals(ok, v1.metric("adapterops_inference_requests_total", Map.of("route", served.route(),
                "outcome", "ok")), "nothing counted as served");
    }

    private Object parse(String body) {
        try {
            return server.context().getBean(JsonMapper.class).readValue(body, Argument.OBJECT_ARGUMENT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void badRequestsGetOpenAiErrorsAndNothingIsServed() {
        String route = served.route();
        refused(404, app, v1.chat("no-such-route", 2, "u", false), "model", "model_not_found");
        refused(404, app, v1.chat(route + "@99", 2, "u", false), "model", "model_not_found");
        refused(400, app, server.json(Map.of("model", route, "messages", List.of(
                Map.of("role", "assistant", "content", "hello"), Map.of("role", "user", "content", "hi")))),
                "messages[0].role", null);
        refused(400, app, server.json(Map.of("model", route, "messages", List.of(
                Map.of("role", "user", "content", "a"), Map.of("role", "system", "content", "b")))),
                "messages[1].role", null);
        refused(400, app, v1.chat(route, -5, "u", false), "max_tokens", null);
        refused(400, app, v1.chat(route, 1_000_000, "u", false), "max_tokens", null);
        refused(400, app, server.json(Map.of("model", route, "max_tokens", 2, "messages", List.of(
                Map.of("role", "user", "content", "word ".repeat(2000))))), "messages", "context_length_exceeded");
        refused(400, app, "{\"model\": \"" + route + "\", \"messages\": [", null, null);
        refused(400, app, server.json(Map.of("model", route, "n", 2, "messages", List.of(
                Map.of("role", "user", "content", "a")))), "n", null);
        refused(401, "aop_wrong-token", v1.chat(route, 2, "u", false), null, "invalid_api_key");
        refused(403, server.token(Api.unique("viewer"), "viewer"), v1.chat(route, 2, "u", false), null, null);
        refused(413, app, v1.chat(route, 2, "x".repeat(1_100_000), false), null, "request_too_large");
    }

    @Test
    void aRoutesPromptLimitRefusesLongerPrompts() {
        expect(200, server.call("PUT", "/api/v1/routes/" + served.route() + "/limits", api.admin,
                server.json(Map.of("maxPromptTokens", 1000, "maxNewTokens", 600))));
        HttpResponse<String> r = v1.post("/v1/completions", app, server.json(Map.of("model", served.route(),
                "prompt", "word ".repeat(1200), "max_tokens", 2)));
        System.out.println("over the route limit: " + r.body());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("at most 1000 tokens"), r.body());
        assertTrue(r.body().contains("\"code\":\"context_length_exceeded\""), r.body());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> logged(String id) {
        Reply r = expect(200, server.get("/api/v1/request-log?route=" + served.route() + "&size=200", api.admin));
        return ((List<Map<String, Object>>) r.get("items")).stream().filter(i -> id.equals(i.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in the request log: " + r));
    }

    @Test
    void theRequestLogKeepsTheRedactedPromptAndFeedbackCountsOnce() {
        String prompt = "My card is 4111 1111 1111 1111 and my email is jane.doe@example.com, please help";
        HttpResponse<String> r = v1.post("/v1/chat/completions", app, server.json(Map.of("model", served.route(),
                "max_tokens", 3, "messages", List.of(Map.of("role", "user", "content", prompt)))),
                "X-User-Id", "user-42");
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        Map<String, Object> row = logged(id);
        System.out.println("logged: " + row);
        assertEquals("user: My card is [CARD] and my email is [EMAIL], please help\n", row.get("prompt"));
        assertEquals("champion", row.get("arm"));
        assertEquals("user-42", row.get("userId"));
        assertEquals("ok", row.get("outcome"));
        assertTrue(((Number) row.get("completionTokens")).intValue() >= 1);
        assertTrue(((Number) row.get("latencyMs")).doubleValue() > 0);
        assertTrue(row.containsKey("ttftMs") && row.containsKey("refusal"), row::toString);

        Map<String, String> up = new HashMap<>(champion());
        up.put("rating", "up");
        double before = v1.metric("adapterops_feedback_total", up);
        String feedback = server.json(Map.of("request_id", id, "rating", "up", "comment", "call me at 555-123-4567"));
        HttpResponse<String> first = v1.post("/v1/feedback", app, feedback);
        HttpResponse<String> repeat = v1.post("/v1/feedback", app, feedback);
        HttpResponse<String> contradicting = v1.post("/v1/feedback", app,
                server.json(Map.of("request_id", id, "rating", "down")));
        HttpResponse<String> unknown = v1.post("/v1/feedback", app,
                server.json(Map.of("request_id", "chatcmpl-nope", "rating", 5)));
        for (HttpResponse<String> f : List.of(first, repeat, contradicting, unknown)) {
            System.out.println("feedback " + f.statusCode() + ": " + f.body());
        }
        assertEquals(201, first.statusCode());
        assertEquals(200, repeat.statusCode());
        assertEquals(409, contradicting.statusCode());
        assertEquals(404, unknown.statusCode());
        assertEquals(before + 1, v1.metric("adapterops_feedback_total", up), "a repeat does not count twice");
        Map<String, Object> withFeedback = logged(id);
        assertEquals("up", withFeedback.get("feedbackRating"));
        assertEquals("call me at [PHONE]", withFeedback.get("feedbackComment"));
    }

    @Test
    void servedRequestsShowInTheMetricsPerArm() {
        Map<String, String> ok = new HashMap<>(champion());
        ok.put("outcome", "ok");
        double requests = v1.metric("adapterops_inference_requests_total", ok);
        double latency = v1.metric("adapterops_inference_latency_seconds_count", champion());
        Map<String, String> out = new HashMap<>(champion());
        out.put("direction", "out");
        double tokensOut = v1.metric("adapterops_inference_tokens_total", out);
        assertEquals(200, v1.post("/v1/chat/completions", app, v1.chat(served.route(), 4, "m", false)).statusCode());
        assertEquals(requests + 1, v1.metric("adapterops_inference_requests_total", ok));
        assertEquals(latency + 1, v1.metric("adapterops_inference_latency_seconds_count", champion()));
        assertTrue(v1.metric("adapterops_inference_tokens_total", out) > tokensOut);
        Map<String, String> bucket = new HashMap<>(champion());
        bucket.put("le", "60.0");
        assertTrue(v1.hasSeries("adapterops_inference_latency_seconds_bucket", bucket), "a 60 s bucket exists");
        assertTrue(v1.hasSeries("adapterops_inference_ttft_seconds_bucket", Map.of("le", "0.01")), "a 10 ms bucket");
        assertTrue(v1.hasSeries("adapterops_inference_refusals_total", champion()));
    }

    @Test
    void theTerminalChatStreamsARoutesAnswerAndNamesTheArm() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RouteChat.run(RouteChat.options(new String[] {"--route", served.route(), "--url", v1.base,
                        "--token", app, "--max-new-tokens", "4", "--user", "terminal-user"}),
                new BufferedReader(new StringReader("hello\nand again\n")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String shown = out.toString(StandardCharsets.UTF_8);
        System.out.println("chat --route:\n" + shown);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals(2, shown.lines().filter(l -> l.matches("\\[champion " + served.adapter() + "@" + served.version()
                + ", [1-4] tokens, chatcmpl-[0-9a-f]+]")).count(), shown);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aShadowsAnswerIsStoredBesideThePrimaryAndNeverReturned() throws Exception {
        Api.Served route = api.servedRoute();
        int shadow = api.shadow(route.adapter(), route.route());
        HttpResponse<String> r = v1.post("/v1/chat/completions", app, v1.chat(route.route(), 3, "s-1", false));
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertEquals("champion", r.headers().firstValue("x-adapterops-arm").orElseThrow());
        assertTrue(r.body().contains("\"system_fingerprint\":\"" + route.adapter() + "@" + route.version() + "\""),
                r.body());
        List<Map<String, Object>> copies = List.of();
        for (int i = 0; i < 200 && copies.isEmpty(); i++) {
            Thread.sleep(100);
            Object items = expect(200, server.get("/api/v1/request-log?primaryRequestId=" + id, api.admin)).get("items");
            copies = items == null ? List.of() : (List<Map<String, Object>>) items; // an empty page omits "items"
        }
        System.out.println("shadow copy: " + copies);
        assertEquals(1, copies.size());
        Map<String, Object> copy = copies.get(0);
        assertEquals("shadow", copy.get("arm"));
        assertEquals(shadow, ((Number) copy.get("version")).intValue());
        assertTrue(copy.get("response") instanceof String && ((Number) copy.get("latencyMs")).doubleValue() > 0, copy::toString);
        assertTrue(copy.containsKey("refusal"));
        HttpResponse<String> feedbackOnCopy = v1.post("/v1/feedback", app, server.json(Map.of("request_id",
                copy.get("id"), "rating", "up")));
        assertEquals(404, feedbackOnCopy.statusCode(), "a shadow copy's id is never a response id");
    }

    /** Sends a streaming request on a raw socket, reads up to its first event, then hangs up. */
    private void hangUp(String body) throws Exception {
        URI uri = URI.create(v1.base);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + app
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data:")) {
                // headers, then the first event
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> loggedFor(String user) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Thread.sleep(100);
            Optional<Map<String, Object>> row = ((List<Map<String, Object>>) expect(200, server.get(
                    "/api/v1/request-log?route=" + served.route() + "&size=200", api.admin)).get("items")).stream()
                    .filter(r -> user.equals(r.get("userId"))).findFirst();
            if (row.isPresent()) {
                return row.get();
            }
        }
        throw new AssertionError("no request of " + user + " in the request log");
    }

    @Test
    void aStreamingClientThatDisconnectsCancelsItsGeneration() throws Exception {
        hangUp(v1.chat(served.route(), 600, "leaver", true));
        Map<String, Object> row = loggedFor("leaver");
        System.out.println("after the client hung up: " + row.get("outcome") + ", " + row.get("completionTokens")
                + " of 600 tokens");
        assertEquals("cancelled", row.get("outcome"), row::toString);
        assertTrue(((Number) row.get("completionTokens")).intValue() < 600, row::toString);
    }
}

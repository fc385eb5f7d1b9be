package io.adapterops.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./adapterops chat --route NAME [--url URL] [--token TOKEN] [--user ID] [--system TEXT]
 * [--max-new-tokens N] [--temperature T]}: a terminal chat with a route of a running service,
 * answers streamed from {@code /v1/chat/completions}; after each answer a line names the arm and
 * version that answered and the request id (for {@code /v1/feedback}). The token comes from
 * {@code --token} or {@code ADAPTEROPS_TOKEN}, the URL from {@code --url} or {@code ADAPTEROPS_URL}
 * (default http://127.0.0.1:8080). Exit status: 0 done, 2 bad arguments, 1 the service refused.
 */
public final class RouteChat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RouteChat() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o;
        try {
            o = options(args);
        } catch (IllegalArgumentException e) {
            System.err.println("adapterops chat: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = run(o, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
                System.err);
        System.exit(status);
    }

    public static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("url", env("ADAPTEROPS_URL", "http://127.0.0.1:8080"));
        o.put("token", env("ADAPTEROPS_TOKEN", ""));
        o.put("max-new-tokens", "256");
        o.put("temperature", "0.7");
        o.put("user", System.getProperty("user.name", "terminal"));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[++i]);
        }
        if (!o.containsKey("route")) {
            throw new IllegalArgumentException("name the route: --route NAME");
        }
        if (o.get("token").isBlank()) {
            throw new IllegalArgumentException("no token: pass --token or set ADAPTEROPS_TOKEN (a token with the "
                    + "inference role)");
        }
        return o;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** Reads user turns line by line until end of input; returns the exit status. */
    public static int run(Map<String, String> o, BufferedReader in, PrintStream out, PrintStream err) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ArrayNode messages = JSON.createArrayNode();
        if (o.containsKey("system")) {
            messages.addObject().put("role", "system").put("content", o.get("system"));
        }
        out.print("> ");
        out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                out.print("> ");
                out.flush();
                continue;
            }
            messages.addObject().put("role", "user").put("content", line);
            ObjectNode body = JSON.createObjectNode().put("model", o.get("route")).put("stream", true)
                    .put("max_tokens", Integer.parseInt(o.get("max-new-tokens")))
                    .put("temperature", Double.parseDouble(o.get("temperature"))).put("user", o.get("user"));
            body.set("messages", messages);
            body.putObject("stream_options").put("include_usage", true);
            HttpRequest request = HttpRequest.newBuilder(URI.create(o.get("url") + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + o.get("token")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
            HttpResponse<Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                String text = String.join("\n", (Iterable<String>) r.body()::iterator);
                err.println("adapterops chat: HTTP " + r.statusCode() + ": " + errorMessage(text));
                return 1;
            }
            StringBuilder answer = new StringBuilder();
            long completion = 0;
            for (Iterator<String> it = r.body().iterator(); it.hasNext(); ) {
                String event = it.next();
                if (!event.startsWith("data:") || event.equals("data: [DONE]")) {
                    continue;
                }
                JsonNode chunk = JSON.readTree(event.substring(5).strip());
                for (JsonNode choice : chunk.path("choices")) {
                    String piece = choice.path("delta").path("content").asText("");
                    answer.append(piece);
                    out.print(piece);
                    out.flush();
                }
                completion = chunk.path("usage").path("completion_tokens").asLong(completion);
            }
            messages.addObject().put("role", "assistant").put("content", answer.toString());
            out.println();
            out.println("[" + r.headers().firstValue("x-adapterops-arm").orElse("?") + " "
                    + r.headers().firstValue("x-adapterops-adapter").orElse("?") + "@"
                    + r.headers().firstValue("x-adapterops-version").orElse("?") + ", " + completion + " tokens, "
                    + r.headers().firstValue("x-request-id").orElse("?") + "]");
            out.print("> ");
            out.flush();
        }
        out.println();
        return 0;
    }

    private static String errorMessage(String body) {
        try {
            return JSON.readTree(body).path("error").path("message").asText(body);
        } catch (IOException e) {
            return body;
        }
    }
}

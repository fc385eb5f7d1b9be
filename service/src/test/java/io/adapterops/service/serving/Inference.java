package io.adapterops.service.serving;

import io.adapterops.service.support.TestServer;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Test helper: raw HTTP calls to the /v1 API (headers included) and reads of /prometheus. */
final class Inference {
    private final TestServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    final String base;

    Inference(TestServer server) {
        this.server = server;
        this.base = "http://127.0.0.1:" + server.context().getBean(EmbeddedServer.class).getPort();
    }

    HttpResponse<String> post(String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A chat request body for {@code model} with one user message. */
    String chat(String model, int maxTokens, String user, boolean stream) {
        return server.json(Map.of("model", model, "max_tokens", maxTokens, "user", user, "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", "How do I reset my password?"))));
    }

    /** The sum of the samples of a Prometheus metric whose labels include all of {@code labels}. */
    double metric(String name, Map<String, String> labels) {
        String text = server.get("/prometheus", null).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String head = line.substring(0, line.lastIndexOf('}') + 1);
            if (labels.entrySet().stream().allMatch(e -> head.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    boolean hasSeries(String name, Map<String, String> labels) {
        String text = server.get("/prometheus", null).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && labels.entrySet().stream()
                    .allMatch(e -> line.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                return true;
            }
        }
        return false;
    }
}

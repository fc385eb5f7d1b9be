package io.adapterops.service.serving;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A full engine answers 503 with Retry-After; the request log keeps to its retention; series exist from start-up. */
class ServingLimitsTest {

    @Test
    void aFullEngineRefusesWith503AndRetryAfterTheLogKeepsItsRetentionAndSeriesExistAfterARestart(@TempDir Path dir)
            throws Exception {
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.serving.engine.max-batch", 1);
        props.put("adapterops.serving.engine.max-waiting", 0);
        props.put("adapterops.serving.overloaded-retry-after", "2s");
        props.put("adapterops.serving.request-log.max-rows", 3);
        props.put("adapterops.serving.request-log.max-age", "30d");
        Api.Served served;
        String app;
        try (TestServer server = TestServer.start(props)) {
            Api api = new Api(server);
            served = api.servedRoute();
            app = server.token(Api.unique("app"), "inference");
            Inference v1 = new Inference(server);

            HttpRequest holding = HttpRequest.newBuilder(URI.create(v1.base + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + app).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(v1.chat(served.route(), 500, "holder", true))).build();
            HttpResponse<InputStream> running = HttpClient.newHttpClient().send(holding,
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, running.statusCode());
            running.body().read(); // the row is in the batch
            HttpResponse<String> full = v1.post("/v1/chat/completions", app, v1.chat(served.route(), 2, "u", false));
            running.body().close();
            System.out.println("engine full: " + full.statusCode() + " Retry-After "
                    + full.headers().firstValue("Retry-After").orElse("-") + " " + full.body());
            assertEquals(503, full.statusCode());
            assertEquals("2", full.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(full.body().contains("\"code\":\"overloaded\""), full.body());

            RequestLog log = server.context().getBean(RequestLog.class);
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = null;
                for (int attempt = 0; attempt < 100 && (r == null || r.statusCode() == 503); attempt++) {
                    Thread.sleep(r == null ? 0 : 100); // until the cancelled holder has left the batch
                    r = v1.post("/v1/completions", app, server.json(Map.of("model", served.route(), "prompt", "hi",
                            "max_tokens", 1)));
                }
                assertEquals(200, r.statusCode(), r.body());
            }
            log.writeAll(List.of(new LoggedRequest("cmpl-old", null, served.route(), served.adapter(),
                    served.version(), "champion", "completion", "app", null, "ok", "stop", 1, 1, 1.0, 1.0, false, false,
                    null, null, Instant.now().minus(Duration.ofDays(31)), null, null)));
            long before = server.rows("inference_request");
            int removed = log.applyRetention();
            System.out.println("retention: " + before + " rows, " + removed + " removed, " + server.rows("inference_request")
                    + " kept");
            assertEquals(3, server.rows("inference_request"));
            assertEquals(0, server.rows("inference_request WHERE id = 'cmpl-old'"));
        }
        try (TestServer restarted = TestServer.start(props)) {
            Inference v1 = new Inference(restarted);
            Map<String, String> champion = Map.of("route", served.route(), "adapter", served.adapter(),
                    "version", String.valueOf(served.version()), "arm", "champion");
            for (String series : new String[] {"adapterops_inference_requests_total", "adapterops_feedback_total",
                    "adapterops_inference_latency_seconds_bucket", "adapterops_inference_ttft_seconds_bucket",
                    "adapterops_inference_tokens_total", "adapterops_inference_refusals_total"}) {
                assertTrue(v1.hasSeries(series, champion), series + " is exported before the first request");
            }
            System.out.println("after a restart, before any request: " + restarted.get("/prometheus", null).body()
                    .lines().filter(l -> l.startsWith("adapterops_inference_requests_total{")).toList());
        }
    }
}

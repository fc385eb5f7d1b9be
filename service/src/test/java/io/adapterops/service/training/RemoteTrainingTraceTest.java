package io.adapterops.service.training;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.adapterops.service.support.CapturedSpans;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training job on a trainer worker is one trace: the job's span, its train phase, a client span per
 * call to the worker, and the W3C {@code traceparent} on every request the worker receives (here a
 * loopback stand-in that records headers and fails the job, so the test stays short).
 */
class RemoteTrainingTraceTest {
    private record Seen(String request, String traceparent) {
    }

    @Test
    void theWorkerReceivesTheJobsTraceContextAndEachCallIsAClientSpan(@TempDir Path dir) throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer worker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        worker.createContext("/", ex -> {
            seen.add(new Seen(ex.getRequestMethod() + " " + ex.getRequestURI().getPath(),
                    ex.getRequestHeaders().getFirst("traceparent")));
            ex.getRequestBody().readAllBytes();
            if ("POST".equals(ex.getRequestMethod()) && "/jobs".equals(ex.getRequestURI().getPath())) {
                answer(ex, 202, "{\"id\":\"w-1\",\"status\":\"QUEUED\"}");
            } else {
                answer(ex, 200, "{\"id\":\"w-1\",\"status\":\"FAILED\",\"error\":\"no GPU today\"}");
            }
        });
        worker.start();
        TrainingServiceTest flow = new TrainingServiceTest();
        Map<String, Object> props = new java.util.HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.trainer.url", "http://127.0.0.1:" + worker.getAddress().getPort() + "/");
        props.put(CapturedSpans.PROPERTY, "true");
        try (TestServer server = TestServer.start(props)) {
            flow.server = server;
            flow.admin = TestServer.ADMIN_TOKEN;
            Reply job = expect(201, flow.create(flow.dataset(12), Map.of("max_steps", 2)));
            Reply done = flow.await(job.get("id"), 60);
            assertEquals("FAILED", done.get("status"), done::toString);
            assertTrue(String.valueOf(done.get("error")).contains("no GPU today"), done::toString);

            List<SpanData> spans = server.context().getBean(CapturedSpans.class).all();
            long jobId = ((Number) job.get("id")).longValue();
            SpanData jobSpan = one(spans, s -> "training.job".equals(s.getName())
                    && Long.valueOf(jobId).equals(s.getAttributes().get(TrainingSpans.JOB)));
            assertEquals(StatusCode.ERROR, jobSpan.getStatus().getStatusCode(), "a failed job is a failed span");
            SpanData train = one(spans, s -> "training.train".equals(s.getName())
                    && s.getParentSpanId().equals(jobSpan.getSpanId()));
            SpanData submit = one(spans, s -> "trainer POST /jobs".equals(s.getName())
                    && s.getParentSpanId().equals(train.getSpanId()));
            assertEquals(SpanKind.CLIENT, submit.getKind());
            assertEquals(202L, submit.getAttributes().get(io.opentelemetry.api.common.AttributeKey
                    .longKey("http.response.status_code")));

            String traceId = jobSpan.getTraceId();
            Seen post = seen.stream().filter(s -> s.request().equals("POST /jobs")).findFirst().orElseThrow();
            assertEquals("00-" + traceId + "-" + submit.getSpanId() + "-01", post.traceparent(), seen::toString);
            Seen poll = seen.stream().filter(s -> s.request().equals("GET /jobs/w-1")).findFirst().orElseThrow();
            assertEquals("00-" + traceId + "-" + train.getSpanId() + "-01", poll.traceparent(), seen::toString);
        } finally {
            worker.stop(0);
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static SpanData one(List<SpanData> spans, java.util.function.Predicate<SpanData> test) {
        List<SpanData> found = spans.stream().filter(test).toList();
        assertEquals(1, found.size(), () -> "expected one such span among " + spans.stream()
                .map(s -> s.getName() + " " + s.getSpanId() + "<-" + s.getParentSpanId()).toList());
        return found.get(0);
    }
}

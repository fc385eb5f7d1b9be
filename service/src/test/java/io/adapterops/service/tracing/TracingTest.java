package io.adapterops.service.tracing;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.ServiceProcess;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.tracing.OtlpReceiver.Received;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing as an operator turns it on: the standard OTEL_* environment variables of the service's own
 * JVM, an OTLP/HTTP receiver on loopback; and as everyone else runs it: nothing set, nothing sent.
 */
class TracingTest {
    private static final String CHAT = "/v1/chat/completions";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anInferenceRequestIsOneTraceWithItsServerSpanAndInferenceSpanExportedOverOtlp(@TempDir Path cwd)
            throws Exception {
        // The route, its champion and a caller's token are made in-process on the data dir that the
        // service process then opens as its default ./data.
        Api.Served served;
        String app;
        try (TestServer setup = TestServer.start(TestDatabases.h2(cwd.resolve("data")))) {
            served = new Api(setup).servedRoute();
            app = setup.token(Api.unique("app"), "inference");
        }
        try (OtlpReceiver receiver = new OtlpReceiver();
             ServiceProcess service = ServiceProcess.start(cwd, Map.of(
                     "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                     "OTEL_SERVICE_NAME", "adapterops-trace-test",
                     "OTEL_BSP_SCHEDULE_DELAY", "200"))) {
            HttpResponse<String> r = chat(service, app, served.route(), null);
            assertEquals(200, r.statusCode(), r.body());
            String requestId = r.headers().firstValue("x-request-id").orElseThrow();

            Received inference = awaitSpan(receiver, s -> "inference".equals(s.name())
                    && requestId.equals(s.attributes().get("adapterops.request_id")), service);
            Received server = awaitSpan(receiver, s -> s.kind() == SpanKind.SPAN_KIND_SERVER
                    && s.traceId().equals(inference.traceId()), service);
            System.out.println("server span: " + server + "\ninference span: " + inference);

            assertEquals("adapterops-trace-test", server.service(), "OTEL_SERVICE_NAME names the service");
            assertEquals("POST", server.attributes().get("http.request.method"));
            assertEquals("200", server.attributes().get("http.response.status_code"));
            assertTrue(server.name().contains(CHAT) || CHAT.equals(server.attributes().get("url.path")),
                    server.toString());
            assertEquals(server.spanId(), inference.parentSpanId(), "inference runs inside the request's span");
            assertEquals(served.route(), inference.attributes().get("adapterops.route"));
            assertEquals("champion", inference.attributes().get("adapterops.arm"));
            assertEquals(String.valueOf(served.version()), inference.attributes().get("adapterops.version"));
            assertEquals(served.adapter(), inference.attributes().get("adapterops.adapter"));
            assertEquals("ok", inference.attributes().get("adapterops.outcome"));
            assertTrue(receiver.errors().isEmpty(), receiver.errors().toString());
            assertTrue(receiver.contentTypes().stream().allMatch("application/x-protobuf"::equals),
                    receiver.contentTypes().toString());

            // A caller's own trace (W3C traceparent) is continued rather than restarted.
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            String callerSpan = "00f067aa0ba902b7";
            HttpResponse<String> traced = chat(service, app, served.route(), "00-" + traceId + "-" + callerSpan + "-01");
            assertEquals(200, traced.statusCode(), traced.body());
            Received continued = awaitSpan(receiver, s -> s.kind() == SpanKind.SPAN_KIND_SERVER
                    && s.traceId().equals(traceId), service);
            assertEquals(callerSpan, continued.parentSpanId());
            awaitSpan(receiver, s -> "inference".equals(s.name()) && s.traceId().equals(traceId)
                    && continued.spanId().equals(s.parentSpanId()), service);

            assertTrue(receiver.spans().stream().noneMatch(s -> s.name().contains("/health")
                    || "/health".equals(s.attributes().get("url.path"))), "health probes are not traced");
        }
    }

    @Test
    void withoutOtelSettingsNoExporterIsConfiguredAndNothingComplains(@TempDir Path dir) {
        for (String name : List.of("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "OTEL_TRACES_EXPORTER")) {
            assertNull(System.getenv(name), name + " is set in the test's environment; this test needs it unset");
        }
        List<LogRecord> complaints = new ArrayList<>();
        Logger otelLog = Logger.getLogger("io.opentelemetry");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    complaints.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        otelLog.addHandler(handler);
        try (TestServer server = TestServer.start(TestDatabases.h2(dir))) {
            Api.Served served = new Api(server).servedRoute();
            String app = server.token(Api.unique("app"), "inference");
            assertEquals(200, server.post(CHAT, app, server.json(Map.of("model", served.route(), "max_tokens", 2,
                    "messages", List.of(Map.of("role", "user", "content", "hello"))))).status());

            OpenTelemetrySdk sdk = (OpenTelemetrySdk) server.context().getBean(OpenTelemetry.class);
            String processors = sdk.getSdkTracerProvider().toString();
            assertFalse(processors.contains("Exporter"), "a span exporter is configured: " + processors);
            // A configured exporter with no collector would fail here, loudly, on the SDK's logger.
            assertTrue(sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess());
        } finally {
            otelLog.removeHandler(handler);
        }
        assertTrue(complaints.isEmpty(), () -> "OpenTelemetry complained: " + complaints.stream()
                .map(r -> r.getLevel() + " " + r.getMessage()).toList());
    }

    private HttpResponse<String> chat(ServiceProcess service, String token, String model, String traceparent)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url(CHAT)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":2,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"How do I reset my password?\"}]}"));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first received span matching {@code test}; the batch processor sends every 200 ms here. */
    private static Received awaitSpan(OtlpReceiver receiver, java.util.function.Predicate<Received> test,
                                      ServiceProcess service) throws Exception {
        for (int i = 0; i < 300; i++) {
            Optional<Received> found = receiver.spans().stream().filter(test).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such span within 30 s; received: " + receiver.spans() + "; receiver errors: "
                + receiver.errors() + "\nservice log:\n"
                + service.output());
    }
}

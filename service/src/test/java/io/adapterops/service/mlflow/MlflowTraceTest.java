package io.adapterops.service.mlflow;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.CapturedSpans;
import io.adapterops.service.support.TestServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** MLflow calls are client spans: the official client's (the probe) and each outbox delivery's HTTP calls. */
class MlflowTraceTest {
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    @Test
    void aRegistryWriteIsAnOutboxSpanOverItsMlflowCalls(@TempDir Path dir) throws Exception {
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            Map<String, Object> props = MlflowTestSupport.props(dir, mlflow.uri());
            props.put(CapturedSpans.PROPERTY, "true");
            try (TestServer server = TestServer.start(props)) {
                Api api = new Api(server);
                api.register(api.adapter());
                CapturedSpans captured = server.context().getBean(CapturedSpans.class);

                SpanData call = await(captured, spans -> spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT
                        && s.getName().startsWith("mlflow POST ") && spans.stream().anyMatch(p ->
                        p.getName().startsWith("mlflow.outbox ") && p.getSpanId().equals(s.getParentSpanId())))
                        .findFirst());
                assertEquals(200L, call.getAttributes().get(STATUS), call::toString);
                await(captured, spans -> spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT
                        && "mlflow experiments/search".equals(s.getName())).findFirst());
            }
        }
    }

    private static SpanData await(CapturedSpans captured,
                                  java.util.function.Function<List<SpanData>, Optional<SpanData>> find)
            throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            Optional<SpanData> found = find.apply(captured.all());
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such span in 30 s: " + captured.all().stream()
                .map(s -> s.getKind() + " " + s.getName()).toList());
    }
}

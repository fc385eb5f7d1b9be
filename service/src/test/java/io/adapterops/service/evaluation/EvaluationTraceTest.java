package io.adapterops.service.evaluation;

import io.adapterops.service.models.ModelStore;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.CapturedSpans;
import io.adapterops.service.support.TestAdapters;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** An evaluation runs in the background but in the trace of the request that started it. */
class EvaluationTraceTest {
    @Test
    void anEvaluationIsASpanInItsRequestsTraceWithOneChildPerSuite(@TempDir Path dir) throws Exception {
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.evaluation.max-new-tokens", 4);
        props.put(CapturedSpans.PROPERTY, "true");
        try (TestServer server = TestServer.start(props)) {
            Path suites = server.context().getBean(ModelStore.class).dataDir().resolve("suites");
            Files.createDirectories(suites);
            Files.writeString(suites.resolve("mini-red-team.jsonl"), EvaluationServiceTest.RED_TEAM);
            Api api = new Api(server);
            String adapter = api.adapter();
            int version = api.register(adapter, TestAdapters.write(server, Api.BASE, adapter));
            Reply started = expect(202, server.post(Api.path(adapter, version) + "/evaluations", api.requester,
                    server.json(Map.of("suites", List.of("mini-red-team")))));
            assertEquals("SUCCEEDED", EvaluationServiceTest.awaitRun(server, adapter, version, started.get("id"))
                    .get("status"));

            CapturedSpans captured = server.context().getBean(CapturedSpans.class);
            SpanData evaluation = await(captured, "evaluation");
            SpanData request = captured.all().stream().filter(s -> s.getSpanId().equals(evaluation.getParentSpanId()))
                    .findFirst().orElseThrow(() -> new AssertionError("the evaluation's parent span was not seen"));
            assertEquals(SpanKind.SERVER, request.getKind());
            assertEquals(Api.path(adapter, version) + "/evaluations",
                    request.getAttributes().get(AttributeKey.stringKey("url.path")));
            assertEquals(adapter, evaluation.getAttributes().get(AttributeKey.stringKey("adapterops.adapter")));
            SpanData suite = await(captured, "evaluation.suite");
            assertEquals(evaluation.getSpanId(), suite.getParentSpanId());
            assertEquals("mini-red-team", suite.getAttributes().get(AttributeKey.stringKey("adapterops.suite")));
        }
    }

    private static SpanData await(CapturedSpans captured, String name) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Optional<SpanData> found = captured.all().stream().filter(s -> name.equals(s.getName())).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no span " + name + " in 10 s: " + captured.all().stream().map(SpanData::getName)
                .toList());
    }
}

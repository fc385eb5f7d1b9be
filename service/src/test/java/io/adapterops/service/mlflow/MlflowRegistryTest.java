package io.adapterops.service.mlflow;

import io.adapterops.service.registry.AdapterRegistry;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestServer;
import io.micronaut.transaction.TransactionOperations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.adapterops.service.mlflow.MlflowTestSupport.await;
import static io.adapterops.service.mlflow.MlflowTestSupport.pending;
import static io.adapterops.service.mlflow.MlflowTestSupport.props;
import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lifecycle moves reach the model registry of the stand-in: versions, state tags, gate, aliases. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MlflowRegistryTest {
    private MlflowStandIn mlflow;
    private TestServer server;
    private Api api;

    @BeforeAll
    void start(@TempDir Path dir) {
        mlflow = MlflowStandIn.start();
        server = TestServer.start(props(dir, mlflow.uri()));
        api = new Api(server);
    }

    @AfterAll
    void stop() {
        server.close();
        mlflow.close();
    }

    @Test
    void canaryApprovalAndRollbackMoveTheAliasesAsTheLifecycleSays() {
        String route = api.route();
        String adapter = api.adapter();
        int v1 = api.firstChampion(adapter, route);
        settled();
        assertEquals(mlflowVersion(adapter, v1), mlflow.alias(adapter, "champion"));
        assertNull(mlflow.alias(adapter, "challenger"));

        int v2 = api.evaluated(adapter);
        expect(200, api.act(adapter, v2, "shadow", api.requester, Map.of("route", route)));
        expect(200, api.act(adapter, v2, "canary", api.requester, Map.of("trafficPercent", 10)));
        settled();
        assertEquals(mlflowVersion(adapter, v2), mlflow.alias(adapter, "challenger"), "canary sets challenger");
        assertEquals(mlflowVersion(adapter, v1), mlflow.alias(adapter, "champion"));

        expect(200, api.act(adapter, v2, "request-approval", api.requester, Map.of()));
        settled();
        assertEquals(mlflowVersion(adapter, v2), mlflow.alias(adapter, "challenger"), "still challenger while pending");

        expect(200, api.act(adapter, v2, "approve", api.approver, Map.of()));
        settled();
        assertEquals(mlflowVersion(adapter, v2), mlflow.alias(adapter, "champion"), "approval moves champion");
        assertNull(mlflow.alias(adapter, "challenger"), "the approved challenger is challenger no more");
        assertEquals("RETIRED", tag(adapter, v1, "adapterops.state"));

        expect(200, api.act(adapter, v2, "rollback", api.approver, Map.of("reason", "refusals up")));
        settled();
        assertEquals(mlflowVersion(adapter, v1), mlflow.alias(adapter, "champion"), "rollback moves champion back");
        assertEquals("ROLLED_BACK", tag(adapter, v2, "adapterops.state"));
        assertEquals("CHAMPION", tag(adapter, v1, "adapterops.state"));
        assertEquals("passed", tag(adapter, v2, "adapterops.gate"));
        assertTrue(mlflow.requests().contains("DELETE /api/2.0/mlflow/registered-models/alias"));
        assertTrue(mlflow.requests().stream().noneMatch(r -> r.contains("alias") && r.contains("?")),
                "alias calls carry their fields in the body");
    }

    @Test
    void aFailedGateAndARejectionShowInTheVersionTags() {
        String adapter = api.adapter();
        int v = api.register(adapter);
        expect(200, api.act(adapter, v, "evaluate", api.requester, Map.of("passed", false, "scores", Map.of("rougeL", 0.1))));
        settled();
        assertEquals("failed", tag(adapter, v, "adapterops.gate"));
        assertEquals("REJECTED", tag(adapter, v, "adapterops.state"));
        MlflowStandIn.Version version = mlflow.model(adapter).versions.get(0);
        MlflowStandIn.Run registration = mlflow.runsOf(adapter).get(0);
        assertEquals(registration.artifactUri + "/adapter", version.source(),
                "a version registered from a local path gets a registration run as its source");
        assertEquals("file:///adapters/" + adapter, version.tags().get("adapterops.artifact_uri"));
    }

    @Test
    void queuedRegistryWritesRollBackWithTheMoveThatQueuedThem() {
        String adapter = api.adapter();
        settled();
        long before = server.rows("mlflow_outbox") + server.rows("mlflow_model_version");
        TransactionOperations<?> tx = server.context().getBean(TransactionOperations.class);
        AdapterRegistry registry = server.context().getBean(AdapterRegistry.class);
        assertThrows(IllegalStateException.class, () -> tx.executeWrite(status -> {
            registry.register(adapter, "s3://bucket/adapter", null, null, "admin");
            throw new IllegalStateException("the move fails after its event was handled");
        }));
        assertEquals(before, server.rows("mlflow_outbox") + server.rows("mlflow_model_version"));
        assertEquals(0, expect(200, server.get("/api/v1/adapters/" + adapter + "/versions", api.admin))
                .map().get("total") instanceof Number n ? n.intValue() : -1);
    }

    @Test
    void reservedAliasNamesAreRefusedBeforeAnyCall() {
        MlflowGateway gateway = server.context().getBean(MlflowGateway.class);
        int calls = mlflow.requests().size();
        for (String reserved : new String[] {"latest", "Latest", "v3", "V12"}) {
            MlflowCallException e = assertThrows(MlflowCallException.class, () -> gateway.setAlias("m", reserved, "1"));
            assertEquals(MlflowCallException.Kind.REJECTED, e.kind());
        }
        assertEquals(calls, mlflow.requests().size());
    }

    @Test
    void aStalledServerTimesOutInsteadOfHangingTheSender() {
        settled();
        MlflowGateway gateway = server.context().getBean(MlflowGateway.class);
        mlflow.inject("experiments/search", 1, MlflowStandIn.Fault.SLOW);
        mlflow.inject("registered-models/create", 1, MlflowStandIn.Fault.SLOW);
        long start = System.currentTimeMillis();
        MlflowCallException viaClient = assertThrows(MlflowCallException.class, gateway::probe);
        MlflowCallException viaHttp = assertThrows(MlflowCallException.class,
                () -> gateway.ensureRegisteredModel(Api.unique("stalled")));
        long elapsed = System.currentTimeMillis() - start;
        assertEquals(MlflowCallException.Kind.TRANSPORT, viaClient.kind(), viaClient::getMessage);
        assertEquals(MlflowCallException.Kind.TRANSPORT, viaHttp.kind(), viaHttp::getMessage);
        assertTrue(elapsed < 2 * MlflowStandIn.SLOW_MS, "both calls gave up after the 1 s timeout: " + elapsed + " ms");
    }

    private void settled() {
        await("the registry writes are sent", () -> pending(server) == 0);
        assertEquals(0L, ((Number) MlflowTestSupport.status(server).get("failed")).longValue(),
                () -> MlflowTestSupport.status(server).toString());
    }

    private String mlflowVersion(String adapter, int number) {
        return mlflow.model(adapter).versions.stream()
                .filter(v -> String.valueOf(number).equals(v.tags().get("adapterops.adapter_version")))
                .map(MlflowStandIn.Version::version).findFirst().orElseThrow();
    }

    private String tag(String adapter, int number, String key) {
        String version = mlflowVersion(adapter, number);
        return mlflow.model(adapter).versions.stream().filter(v -> v.version().equals(version)).findFirst()
                .orElseThrow().tags().get(key);
    }
}

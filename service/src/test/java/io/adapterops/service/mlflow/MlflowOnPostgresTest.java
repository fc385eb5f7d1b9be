package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.MlflowStandIn.Fault;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.mlflow.MlflowTestSupport.await;
import static io.adapterops.service.mlflow.MlflowTestSupport.pending;
import static io.adapterops.service.mlflow.MlflowTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same migration, outbox queries and registry mirror on PostgreSQL (skipped where none is reachable). */
class MlflowOnPostgresTest {
    @Test
    void runsAndAliasesReachMlflowFromPostgres(@TempDir Path dir) throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        Map<String, Object> props = new HashMap<>(MlflowTestSupport.props(dir, "unused"));
        props.putAll(pg.properties(dir));
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            props.put("adapterops.mlflow.tracking-uri", mlflow.uri());
            mlflow.inject("runs/log-batch", 1, Fault.ERROR_500);
            try (TestServer server = TestServer.start(props)) {
                RunTracker tracker = server.context().getBean(RunTracker.class);
                String adapter = Api.unique("pg");
                long run = tracker.startRun(adapter, null, "pg", Map.of("k", "v"));
                tracker.logMetrics(run, 1, Map.of("train_loss", 0.5));
                tracker.logMetrics(run, 2, Map.of("train_loss", 0.25));
                tracker.endRun(run, RunStatus.FAILED);
                Api api = new Api(server);
                String other = api.adapter();
                int v = api.firstChampion(other, api.route());

                await("the backlog is sent", () -> pending(server) == 0);
                assertEquals(0L, ((Number) status(server).get("failed")).longValue());
                assertEquals(List.of(), mlflow.unmetFaults());
                MlflowStandIn.Run r = mlflow.runsOf(adapter).get(0);
                assertEquals("FAILED", r.status);
                assertEquals(2, r.metrics.size());
                assertEquals(String.valueOf(v), mlflow.alias(other, "champion"));
            }
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }
}

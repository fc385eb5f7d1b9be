package io.adapterops.service.mlflow;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.adapterops.service.training.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.mlflow.MlflowTestSupport.props;
import static io.adapterops.service.mlflow.MlflowTestSupport.status;
import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With no MLflow configured, runs and registry state live in the AdapterOps database and data dir. */
class EmbeddedTrackingTest {
    @Test
    @SuppressWarnings("unchecked")
    void runsParamsMetricsAndArtifactsAreBrowsableThroughTheApi(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        try (TestServer server = TestServer.start(props(data, ""))) {
            String admin = TestServer.ADMIN_TOKEN;
            assertEquals("EMBEDDED", status(server).get("state"));
            String adapter = Api.unique("helpdesk");
            RunTracker tracker = server.context().getBean(RunTracker.class);
            TrainingJob job = MlflowTestSupport.trainingJob(server, adapter);
            long run = tracker.runFor(job, "localhost");
            assertEquals(run, tracker.runFor(job, "localhost"), "a resumed job keeps its run");
            for (int step = 1; step <= 3; step++) {
                tracker.logMetrics(run, step, Map.of("train_loss", 1.0 / step, "learning_rate", 1e-4));
            }
            Path summary = Files.writeString(dir.resolve("training_summary.json"), "{\"steps\":3}");
            tracker.logArtifact(run, summary, "");
            tracker.endRun(run, RunStatus.KILLED);
            long retry = tracker.runFor(job, "localhost");
            assertTrue(retry > run, "a job run again after its run ended gets a new run");
            tracker.endRun(retry, RunStatus.FINISHED);

            Reply list = expect(200, server.get("/api/v1/runs?experiment=" + adapter, admin));
            List<Map<String, Object>> items = (List<Map<String, Object>>) list.get("items");
            assertEquals(List.of("FINISHED", "KILLED"), items.stream().map(i -> i.get("status")).toList(),
                    "newest first");

            Map<String, Object> detail = expect(200, server.get("/api/v1/runs/" + run, admin)).map();
            assertEquals("8", ((Map<String, Object>) detail.get("params")).get("lora_rank"));
            Map<String, Object> loss = (Map<String, Object>) ((Map<String, Object>) detail.get("latestMetrics"))
                    .get("train_loss");
            assertEquals(3, ((Number) loss.get("step")).intValue());
            assertEquals(1.0 / 3, ((Number) loss.get("value")).doubleValue(), 1e-12);
            assertEquals(List.of(Map.of("path", "training_summary.json", "size", 11)), detail.get("artifacts"));
            assertEquals("{\"steps\":3}", Files.readString(data.resolve("runs/" + run + "/artifacts/training_summary.json")));

            Reply history = expect(200, server.get("/api/v1/runs/" + run + "/metrics/train_loss", admin));
            assertEquals(List.of(1, 2, 3), ((List<Map<String, Object>>) history.json()).stream()
                    .map(p -> ((Number) p.get("step")).intValue()).toList());
            assertEquals(404, server.get("/api/v1/runs/" + run + "/metrics/nope", admin).status());
            assertEquals(404, server.get("/api/v1/runs/999999", admin).status());

            Api api = new Api(server);
            String route = api.route();
            int v = api.firstChampion(adapter, route);
            assertEquals(1, server.rows("mlflow_alias"), "the champion alias is recorded");
            assertEquals(v, server.rows("mlflow_model_version"));
            assertEquals(0, server.rows("mlflow_outbox"), "nothing is queued for a server that is not there");
        }
    }

    @Test
    void valuesMlflowWouldRefuseAreRefusedWhenLogged(@TempDir Path dir) {
        try (TestServer server = TestServer.start(props(dir, ""))) {
            RunTracker tracker = server.context().getBean(RunTracker.class);
            long run = tracker.startRun("limits", null, "limits", Map.of());
            tracker.logParams(run, Map.of("lr", "1e-4"));
            tracker.logParams(run, Map.of("lr", "1e-4"));
            assertThrows(IllegalArgumentException.class, () -> tracker.logParams(run, Map.of("lr", "2e-4")));
            assertThrows(IllegalArgumentException.class, () -> tracker.logParams(run, Map.of("long", "x".repeat(6001))));
            assertThrows(IllegalArgumentException.class, () -> tracker.logMetrics(run, 1, Map.of("loss", Double.NaN)));
            assertThrows(IllegalArgumentException.class, () -> tracker.endRun(run, RunStatus.RUNNING));
            assertTrue(expect(200, server.get("/api/v1/runs/" + run, TestServer.ADMIN_TOKEN)).map().get("params")
                    .equals(Map.of("lr", "1e-4")));
        }
    }
}

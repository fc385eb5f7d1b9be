package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.MlflowStandIn.Fault;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.training.TrainingJob;
import io.adapterops.service.training.TrainingJob.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.adapterops.service.mlflow.MlflowTestSupport.await;
import static io.adapterops.service.mlflow.MlflowTestSupport.pending;
import static io.adapterops.service.mlflow.MlflowTestSupport.props;
import static io.adapterops.service.mlflow.MlflowTestSupport.status;
import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox against a stand-in MLflow that is down, slow, failing or restarted. */
class MlflowOutboxTest {
    private static final int STEPS = 40;
    private static final byte[] WEIGHTS = "not really safetensors".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRunMadeWhileMlflowIsDownArrivesExactlyOnceAndInOrderWhenItComesUp(@TempDir Path dir) throws IOException {
        try (MlflowStandIn mlflow = MlflowStandIn.down();
             TestServer server = TestServer.start(props(dir.resolve("data"), mlflow.uri()))) {
            String adapter = Api.unique("helpdesk");
            TrainingJob job = MlflowTestSupport.trainingJob(server, adapter);
            long runId = train(server, job, dir.resolve("work"));
            int version = MlflowTestSupport.registerFromJob(server, adapter, job.id());

            await("the sender has found MLflow unreachable", () -> "UNREACHABLE".equals(status(server).get("state")));
            Map<String, Object> down = status(server);
            assertTrue(((Number) down.get("pending")).longValue() >= STEPS, down::toString);
            assertTrue(String.valueOf(down.get("lastError")).contains("cannot reach MLflow"), down::toString);
            assertTrue(mlflow.requests().isEmpty());
            assertEquals(((Number) down.get("pending")).doubleValue(), gauge(server), "the gauge shows the backlog");

            mlflow.up();
            await("the backlog is sent", () -> pending(server) == 0);
            assertEquals(0.0, gauge(server));
            assertEquals("CONNECTED", status(server).get("state"));
            assertEquals(0L, ((Number) status(server).get("failed")).longValue());

            MlflowStandIn.Run run = assertRunArrivedOnce(mlflow, adapter, job);
            assertEquals(run.id, expect(200, server.get("/api/v1/runs/" + runId, TestServer.ADMIN_TOKEN)).map()
                    .get("run") instanceof Map<?, ?> r ? r.get("mlflowRunId") : null);
            MlflowStandIn.Model model = mlflow.model(adapter);
            assertEquals(1, model.versions.size());
            MlflowStandIn.Version v = model.versions.get(0);
            assertEquals(run.artifactUri + "/adapter", v.source());
            assertEquals(run.id, v.runId());
            assertEquals(String.valueOf(version), v.tags().get("adapterops.adapter_version"));
            assertEquals("REGISTERED", v.tags().get("adapterops.state"));
            assertEquals(MlflowTestSupport.description(job.id()), v.description(), "the training summary");

            List<String> calls = mlflow.requests();
            assertEquals(1, count(calls, "runs/create"));
            assertEquals(1, count(calls, "runs/log-batch"), "params and 200 metric points go out as one batch");
            int create = index(calls, "runs/create");
            int batch = index(calls, "runs/log-batch");
            int upload = index(calls, "PUT /api/2.0/mlflow-artifacts/");
            int end = index(calls, "runs/update");
            int register = index(calls, "model-versions/create");
            assertTrue(create < batch && batch < upload && upload < end && end < register, calls::toString);
        }
    }

    /**
     * With production's 5-minute backoff cap, a long outage must not leave the sender asleep for
     * minutes after MLflow returns: probes stay at most {@code probe-max} apart.
     */
    @Test
    void afterALongOutageSendingResumesWithinAProbeIntervalOfMlflowsReturn(@TempDir Path dir) throws Exception {
        try (MlflowStandIn mlflow = MlflowStandIn.down()) {
            Map<String, Object> props = new HashMap<>(props(dir.resolve("data"), mlflow.uri()));
            props.put("adapterops.mlflow.backoff-initial", "100ms");
            props.put("adapterops.mlflow.backoff-max", "5m");
            props.put("adapterops.mlflow.probe-max", "300ms");
            try (TestServer server = TestServer.start(props)) {
                String adapter = Api.unique("helpdesk");
                train(server, MlflowTestSupport.trainingJob(server, adapter), dir.resolve("work"));
                Thread.sleep(6_000); // uncapped, the probe's backoff is now 6.4 s and growing
                mlflow.up();
                long back = System.nanoTime();
                await("the backlog is sent", () -> pending(server) == 0);
                double seconds = (System.nanoTime() - back) / 1e9;
                assertTrue(seconds < 3, "sending resumed " + seconds + " s after MLflow came back");
            }
        }
    }

    @Test
    void lostResponsesTimeoutsAndServerErrorsDuplicateNothing(@TempDir Path dir) throws IOException {
        try (MlflowStandIn mlflow = MlflowStandIn.start();
             TestServer server = TestServer.start(props(dir.resolve("data"), mlflow.uri()))) {
            mlflow.inject("runs/create", 1, Fault.APPLY_THEN_500);
            mlflow.inject("runs/log-batch", 1, Fault.SLOW);
            mlflow.inject("runs/log-batch", 1, Fault.ERROR_500);
            mlflow.inject("mlflow-artifacts", 1, Fault.SLOW);
            mlflow.inject("model-versions/create", 1, Fault.APPLY_THEN_500);

            String adapter = Api.unique("helpdesk");
            TrainingJob job = MlflowTestSupport.trainingJob(server, adapter);
            train(server, job, dir.resolve("work"));
            MlflowTestSupport.registerFromJob(server, adapter, job.id());

            await("the backlog is sent", () -> pending(server) == 0);
            assertEquals(List.of(), mlflow.unmetFaults());
            assertEquals(0L, ((Number) status(server).get("failed")).longValue());
            assertRunArrivedOnce(mlflow, adapter, job);
            assertEquals(1, mlflow.model(adapter).versions.size(), "one model version despite the lost answer");
        }
    }

    @Test
    void aRestartWithAQueuedBacklogResumesWithoutLossOrDuplicates(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        String adapter = Api.unique("helpdesk");
        TrainingJob job;
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            // MLflow creates the run, then dies before its answer arrives; the service is stopped with
            // everything else still queued.
            mlflow.inject("runs/create", 1, Fault.APPLY_THEN_DOWN);
            try (TestServer first = TestServer.start(props(data, mlflow.uri()))) {
                job = MlflowTestSupport.trainingJob(first, adapter);
                train(first, job, dir.resolve("work"));
                MlflowTestSupport.registerFromJob(first, adapter, job.id());
                await("the sender has lost MLflow", () -> "UNREACHABLE".equals(status(first).get("state")));
                assertTrue(pending(first) >= STEPS);
            }
            assertEquals(1, mlflow.runsOf(adapter).size(), "the first create reached MLflow");

            mlflow.up();
            try (TestServer second = TestServer.start(props(data, mlflow.uri()))) {
                await("the backlog is sent after the restart", () -> pending(second) == 0);
                assertEquals(0L, ((Number) status(second).get("failed")).longValue());
            }
            assertRunArrivedOnce(mlflow, adapter, job);
            assertEquals(1, mlflow.model(adapter).versions.size());
            assertEquals(1, count(mlflow.requests(), "model-versions/create"));
        }
    }

    @Test
    void aStepWithMoreValuesThanOneBatchHoldsIsSplitWithinMlflowsLimits(@TempDir Path dir) {
        try (MlflowStandIn mlflow = MlflowStandIn.start();
             TestServer server = TestServer.start(props(dir.resolve("data"), mlflow.uri()))) {
            RunTracker tracker = server.context().getBean(RunTracker.class);
            String adapter = Api.unique("wide");
            long run = tracker.startRun(adapter, null, "wide", Map.of());
            Map<String, String> params = new TreeMap<>();
            for (int i = 0; i < 230; i++) {
                params.put("p" + i, "x".repeat(RunTracker.MAX_PARAM_LENGTH));
            }
            tracker.logParams(run, params);
            Map<String, Double> values = new LinkedHashMap<>();
            for (int i = 0; i < 2500; i++) {
                values.put("m" + i, (double) i);
            }
            tracker.logMetrics(run, 7, values);
            tracker.endRun(run, RunStatus.FINISHED);

            await("the backlog is sent", () -> pending(server) == 0);
            assertEquals(0L, ((Number) status(server).get("failed")).longValue(), () -> status(server).toString());
            MlflowStandIn.Run r = mlflow.runsOf(adapter).get(0);
            assertEquals(params, new TreeMap<>(r.params));
            assertEquals(2500, r.metrics.size());
            assertTrue(count(mlflow.requests(), "runs/log-batch") >= 6, "3 param batches and 3 metric batches at least");
        }
    }

    /** What the training runner does for one job: parameters, a metric batch per step, artifacts, the end. */
    private static long train(TestServer server, TrainingJob job, Path work) throws IOException {
        RunTracker tracker = server.context().getBean(RunTracker.class);
        long run = tracker.startRun(job, "gpu-host-1");
        for (int step = 1; step <= STEPS; step++) {
            tracker.logMetrics(run, step, metrics(step));
        }
        Path adapterDir = Files.createDirectories(work.resolve("adapter"));
        Files.writeString(adapterDir.resolve("adapter_config.json"), "{\"r\":8,\"lora_alpha\":16}");
        Files.write(adapterDir.resolve("adapter_model.safetensors"), WEIGHTS);
        tracker.logArtifact(run, adapterDir, "adapter");
        Path summary = Files.writeString(work.resolve("training_summary.json"), "{\"steps\":" + STEPS + "}");
        tracker.logArtifact(run, summary, "");
        tracker.endRun(run, RunStatus.of(JobStatus.SUCCEEDED));
        return run;
    }

    private static Map<String, Double> metrics(int step) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", 2.0 / step);
        m.put("eval_loss", 2.5 / step);
        m.put("learning_rate", 2e-4 * (1 - step / 100.0));
        m.put("grad_norm", 1.0 + step / 10.0);
        m.put("tokens_per_s", 1000.0 + step);
        return m;
    }

    /** The job's run is in the stand-in once, with every parameter, point, tag and artifact exactly once. */
    private static MlflowStandIn.Run assertRunArrivedOnce(MlflowStandIn mlflow, String adapter, TrainingJob job) {
        List<MlflowStandIn.Run> runs = mlflow.runsOf(adapter);
        assertEquals(1, runs.size(), "one run in the adapter's experiment");
        MlflowStandIn.Run run = runs.get(0);
        assertEquals("job-" + job.id(), run.name);
        assertEquals("FINISHED", run.status);
        Map<String, String> expectedParams = new TreeMap<>(Map.of("base_model", Api.BASE, "objective", "SFT",
                "lora_rank", "8", "lora_alpha", "16", "lora_target", "q_proj,v_proj", "learning_rate", "2.0E-4",
                "per_device_train_batch_size", "4", "num_train_epochs", "2",
                "dataset_hash", MlflowTestSupport.DATASET_HASH));
        assertEquals(expectedParams, new TreeMap<>(run.params));
        assertEquals(String.valueOf(job.id()), run.tags.get("adapterops.job_id"));
        assertEquals("admin", run.userId, "user_id, as the Python client sets it from mlflow.user");
        assertEquals("gpu-host-1", run.tags.get("adapterops.trainer_host"));
        assertTrue(run.tags.containsKey("adapterops.version"));
        List<String> expected = new ArrayList<>();
        for (int step = 1; step <= STEPS; step++) {
            int s = step;
            metrics(step).forEach((k, v) -> expected.add(k + "@" + s + "=" + v));
        }
        assertEquals(expected, run.metrics.stream().map(p -> p.key() + "@" + p.step() + "=" + p.value()).toList(),
                "every point once, in the order logged");
        String root = run.experimentId + "/" + run.id + "/artifacts/";
        assertArrayEquals(WEIGHTS, mlflow.artifact(root + "adapter/adapter_model.safetensors"));
        assertEquals("{\"r\":8,\"lora_alpha\":16}", new String(mlflow.artifact(root + "adapter/adapter_config.json"),
                StandardCharsets.UTF_8));
        assertEquals("{\"steps\":" + STEPS + "}", new String(mlflow.artifact(root + "training_summary.json"),
                StandardCharsets.UTF_8));
        return run;
    }

    /** The value of {@code adapterops_mlflow_outbox_pending} on the Prometheus endpoint. */
    private static double gauge(TestServer server) {
        String text = server.get("/prometheus", null).body();
        return text.lines().filter(l -> l.startsWith("adapterops_mlflow_outbox_pending"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no adapterops_mlflow_outbox_pending in " + text));
    }

    private static long count(List<String> calls, String part) {
        return calls.stream().filter(c -> c.contains(part)).count();
    }

    private static int index(List<String> calls, String part) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}

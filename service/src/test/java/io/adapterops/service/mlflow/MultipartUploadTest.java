package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.MlflowGateway.CreatedRun;
import io.adapterops.service.mlflow.MlflowStandIn.Fault;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.mlflow.MlflowTestSupport.await;
import static io.adapterops.service.mlflow.MlflowTestSupport.pending;
import static io.adapterops.service.mlflow.MlflowTestSupport.props;
import static io.adapterops.service.mlflow.MlflowTestSupport.randomBytes;
import static io.adapterops.service.mlflow.MlflowTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large artifact files go up in parts where MLflow's artifact store can, and in one PUT where it cannot. */
class MultipartUploadTest {
    private static final int THRESHOLD = 4096;
    private static final int PART = 4096;

    @Test
    void aFileAboveTheThresholdGoesUpInNPartsInOrderAndArrivesByteIdentical(@TempDir Path dir) throws IOException {
        byte[] weights = randomBytes(3 * PART - 100);
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            mlflow.requireBasic(MlflowTestSupport.USER, MlflowTestSupport.PASSWORD);
            MlflowGateway gateway = MlflowTestSupport.gateway(mlflow, THRESHOLD, PART);
            CreatedRun run = run(gateway);
            gateway.uploadArtifact(run.artifactUri(), "adapter/adapter_model.safetensors",
                    Files.write(dir.resolve("adapter_model.safetensors"), weights));

            String folder = MlflowGateway.proxiedPath(run.artifactUri()) + "/adapter";
            assertArrayEquals(weights, mlflow.artifact(folder + "/adapter_model.safetensors"));
            List<String> calls = uploadCalls(mlflow);
            assertEquals(5, calls.size(), calls::toString);
            assertEquals("POST /api/2.0/mlflow-artifacts/mpu/create/" + folder, calls.get(0));
            for (int i = 1; i <= 3; i++) {
                assertTrue(calls.get(i).matches("PUT /presigned/[^/]+/part-" + i), calls::toString);
            }
            assertEquals("POST /api/2.0/mlflow-artifacts/mpu/complete/" + folder, calls.get(4));
            assertEquals(List.of("none", "none", "none"), mlflow.partAuthorizations(),
                    "presigned part URLs never see the MLflow credentials");
        }
    }

    @Test
    void aFileAtTheThresholdGoesUpInOnePut(@TempDir Path dir) throws IOException {
        byte[] config = randomBytes(THRESHOLD);
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            MlflowGateway gateway = MlflowTestSupport.gateway(mlflow, THRESHOLD, PART);
            CreatedRun run = run(gateway);
            gateway.uploadArtifact(run.artifactUri(), "adapter/adapter_config.json",
                    Files.write(dir.resolve("adapter_config.json"), config));

            String path = MlflowGateway.proxiedPath(run.artifactUri()) + "/adapter/adapter_config.json";
            assertArrayEquals(config, mlflow.artifact(path));
            assertEquals(List.of("PUT /api/2.0/mlflow-artifacts/artifacts/" + path), uploadCalls(mlflow));
        }
    }

    @Test
    void aServerThatCannotDoMultipartGetsTheSinglePutAndTheFileArrives(@TempDir Path dir) throws IOException {
        byte[] weights = randomBytes(5 * PART);
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            mlflow.withoutMultipart();
            MlflowGateway gateway = MlflowTestSupport.gateway(mlflow, THRESHOLD, PART);
            CreatedRun run = run(gateway);
            gateway.uploadArtifact(run.artifactUri(), "adapter/adapter_model.safetensors",
                    Files.write(dir.resolve("adapter_model.safetensors"), weights));

            String folder = MlflowGateway.proxiedPath(run.artifactUri()) + "/adapter";
            assertArrayEquals(weights, mlflow.artifact(folder + "/adapter_model.safetensors"));
            assertEquals(List.of("POST /api/2.0/mlflow-artifacts/mpu/create/" + folder,
                    "PUT /api/2.0/mlflow-artifacts/artifacts/" + folder + "/adapter_model.safetensors"), uploadCalls(mlflow));
        }
    }

    @Test
    void aFailingPartAbortsTheUploadAndTheOutboxRowRetriesWithoutAHalfFile(@TempDir Path dir) throws IOException {
        byte[] weights = randomBytes(3 * PART + 1);
        String adapter = Api.unique("large");
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            Map<String, Object> p = props(dir.resolve("data"), mlflow.uri());
            p.put("adapterops.mlflow.multipart-threshold", String.valueOf(THRESHOLD));
            p.put("adapterops.mlflow.multipart-part-size", String.valueOf(PART));
            try (TestServer server = TestServer.start(p)) {
                mlflow.inject("part-2", 1, Fault.ERROR_500);
                RunTracker tracker = server.context().getBean(RunTracker.class);
                long runId = tracker.startRun(adapter, null, "large", Map.of());
                Path adapterDir = Files.createDirectories(dir.resolve("work/adapter"));
                Files.write(adapterDir.resolve("adapter_model.safetensors"), weights);
                tracker.logArtifact(runId, adapterDir, "adapter");
                tracker.endRun(runId, RunStatus.FINISHED);

                await("the backlog is sent", () -> pending(server) == 0);
                assertEquals(0L, ((Number) status(server).get("failed")).longValue(), () -> status(server).toString());
                assertEquals(List.of(), mlflow.unmetFaults());
            }
            MlflowStandIn.Run run = mlflow.runsOf(adapter).get(0);
            String file = run.experimentId + "/" + run.id + "/artifacts/adapter/adapter_model.safetensors";
            assertEquals(List.of(file), mlflow.aborted(), "the upload with the failed part was aborted");
            List<String> calls = uploadCalls(mlflow);
            assertEquals(2, count(calls, "mpu/create"), "the outbox row tried again: " + calls);
            assertEquals(1, count(calls, "mpu/complete"), "only the whole file was ever completed: " + calls);
            assertEquals(0, count(calls, "PUT /api/2.0/mlflow-artifacts/artifacts/"), calls::toString);
            assertTrue(calls.indexOf(calls.stream().filter(c -> c.contains("mpu/abort")).findFirst().orElseThrow())
                    < calls.indexOf(calls.stream().filter(c -> c.contains("mpu/complete")).findFirst().orElseThrow()));
            assertArrayEquals(weights, mlflow.artifact(file));
        }
    }

    private static CreatedRun run(MlflowGateway gateway) {
        return gateway.createRun(gateway.experimentId(Api.unique("large")), "large", System.currentTimeMillis(), Map.of());
    }

    /** Requests that move artifact bytes: multipart calls, part PUTs and single PUTs. */
    private static List<String> uploadCalls(MlflowStandIn mlflow) {
        return mlflow.requests().stream().filter(c -> c.contains("mlflow-artifacts") || c.contains("/presigned/"))
                .toList();
    }

    private static long count(List<String> calls, String part) {
        return calls.stream().filter(c -> c.contains(part)).count();
    }
}

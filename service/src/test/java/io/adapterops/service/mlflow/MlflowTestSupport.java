package io.adapterops.service.mlflow;

import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.training.TrainingJob;
import io.adapterops.service.training.TrainingJobRepository;
import io.adapterops.service.tracing.Tracing;
import io.micronaut.json.JsonMapper;
import io.opentelemetry.api.OpenTelemetry;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared set-up of the MLflow tests: short timeouts and backoff, a training job, waiting. */
final class MlflowTestSupport {
    static final String DATASET_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    /** Named as the trainer's TrainingConfig names them. */
    static final Map<String, Object> HYPERPARAMETERS = Map.of("lora_rank", 8, "lora_alpha", 16,
            "lora_target", List.of("q_proj", "v_proj"), "learning_rate", 2e-4, "per_device_train_batch_size", 4,
            "num_train_epochs", 2);

    static final String USER = "olivia";
    static final String PASSWORD = "s3cret";

    private MlflowTestSupport() {
    }

    static Map<String, Object> props(Path dataDir, String trackingUri) {
        Map<String, Object> p = new HashMap<>(TestDatabases.h2(dataDir));
        p.put("adapterops.mlflow.tracking-uri", trackingUri);
        p.put("adapterops.mlflow.poll-interval", "50ms");
        p.put("adapterops.mlflow.backoff-initial", "50ms");
        p.put("adapterops.mlflow.backoff-max", "300ms");
        p.put("adapterops.mlflow.request-timeout", "1s");
        return p;
    }

    /** A gateway straight to {@code mlflow}, for artifact transfers that nothing in the service drives yet. */
    static MlflowGateway gateway(MlflowStandIn mlflow, long multipartThreshold, long multipartPartSize) {
        MlflowConfig config = new MlflowConfig(mlflow.uri(), USER, PASSWORD, "", Duration.ofSeconds(5), Duration.ofMillis(50),
                Duration.ofMillis(50), Duration.ofMillis(300), multipartThreshold, multipartPartSize);
        return new MlflowGateway(config, JsonMapper.createDefault(), new Tracing(OpenTelemetry.noop()));
    }

    /** {@code size} bytes that differ from part to part, so a reordered or repeated part shows. */
    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static Map<String, Object> status(TestServer server) {
        return expect(200, server.get("/api/v1/system/mlflow", TestServer.ADMIN_TOKEN)).map();
    }

    static long pending(TestServer server) {
        return ((Number) status(server).get("pending")).longValue();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting until " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            }
        }
    }

    /**
     * A training job for a new adapter, written straight to the database as already finished (so the
     * service's own runner leaves it alone): how jobs run is the trainer's business, and these tests
     * only need the row the tracked run belongs to.
     */
    static TrainingJob trainingJob(TestServer server, String adapter) {
        String dataset = Api.unique("data");
        String admin = TestServer.ADMIN_TOKEN;
        expect(201, server.post("/api/v1/adapters", admin, server.json(Map.of("name", adapter, "baseModel", Api.BASE))));
        expect(201, server.post("/api/v1/datasets", admin, server.json(Map.of("name", dataset, "format", "ALPACA"))));
        long datasetId = server.context().getBean(DatasetRepository.class).findByName(dataset).orElseThrow().id();
        DatasetVersion version = server.context().getBean(DatasetVersionRepository.class).save(new DatasetVersion(null,
                datasetId, DATASET_HASH, 10, "/data/" + dataset, "admin", Instant.now()));
        Instant now = Instant.now();
        return server.context().getBean(TrainingJobRepository.class).save(new TrainingJob(null, adapter, Api.BASE,
                datasetId, version.id(), TrainingJob.Objective.SFT, server.json(new TreeMap<>(HYPERPARAMETERS)),
                TrainingJob.JobStatus.SUCCEEDED, null, null, null, "admin", now, now, null));
    }

    /** Registers the adapter version a training job produced, as the trainer will. */
    static int registerFromJob(TestServer server, String adapter, long jobId) {
        Object v = expect(201, server.post("/api/v1/adapters/" + adapter + "/versions", TestServer.ADMIN_TOKEN,
                server.json(Map.of("artifactUri", "file:///adapters/" + adapter + "/1", "trainingJobId", jobId,
                        "description", description(jobId)))))
                .get("version");
        return ((Number) v).intValue();
    }

    /** What the trainer writes as a version's description: the training summary. */
    static String description(long jobId) {
        return "training job " + jobId + ": {train_loss=0.61}, parity max |Δlogit| 3.1e-06";
    }
}

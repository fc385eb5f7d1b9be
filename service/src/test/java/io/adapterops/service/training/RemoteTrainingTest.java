package io.adapterops.service.training;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.adapterops.trainer.worker.TrainerWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same upload → train → REGISTERED path, with training on a worker started on a free port. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteTrainingTest {
    private static final String WORKER_TOKEN = "worker-test-token";
    private final TrainingServiceTest flow = new TrainingServiceTest();
    private TrainerWorker worker;
    private Path serviceDir;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        worker = TrainerWorker.start("127.0.0.1", 0, dir.resolve("worker"), WORKER_TOKEN);
        serviceDir = dir.resolve("service");
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(serviceDir));
        props.put("adapterops.trainer.url", "http://127.0.0.1:" + worker.port() + "/");
        props.put("adapterops.trainer.token", WORKER_TOKEN);
        flow.server = TestServer.start(props);
        flow.admin = TestServer.ADMIN_TOKEN;
    }

    @AfterAll
    void stop() throws Exception {
        flow.server.close();
        worker.close();
    }

    @Test
    void aJobRunsOnTheWorkerAndItsAdapterIsRegisteredHere() throws Exception {
        Reply job = expect(201, flow.create(flow.dataset(12), Map.of("max_steps", 4, "per_device_train_batch_size", 4,
                "eval_steps", 2, "save_steps", 2, "val_size", 0.2, "cutoff_len", 256)));
        Reply done = flow.await(job.get("id"), 120);
        assertEquals("SUCCEEDED", done.get("status"), done::toString);
        assertEquals(4, ((Number) ((Map<?, ?>) done.get("progress")).get("step")).intValue());
        int version = ((Number) done.get("adapterVersion")).intValue();
        Reply v = expect(200, flow.server.get(Api.path((String) job.get("adapter"), version), flow.admin));
        assertEquals("REGISTERED", v.get("state"));
        Path adapter = Path.of(URI.create((String) v.get("artifactUri")));
        assertTrue(adapter.startsWith(serviceDir), "the adapter was fetched into the service's data dir: " + adapter);
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
        Map<?, ?> run = (Map<?, ?>) ((List<?>) expect(200, flow.server.get("/api/v1/runs?experiment="
                + job.get("adapter"), flow.admin)).get("items")).get(0);
        assertEquals("FINISHED", run.get("status"));
    }

    @Test
    void aWorkerThatRefusesTheTokenFailsTheJobWithItsReason() throws Exception {
        try (TrainerWorker strict = TrainerWorker.start("127.0.0.1", 0, Files.createTempDirectory("strict"), "other")) {
            Map<String, Object> props = new HashMap<>(TestDatabases.h2(Files.createTempDirectory("svc")));
            props.put("adapterops.trainer.url", "http://127.0.0.1:" + strict.port());
            props.put("adapterops.trainer.token", WORKER_TOKEN);
            TrainingServiceTest other = new TrainingServiceTest();
            other.server = TestServer.start(props);
            other.admin = TestServer.ADMIN_TOKEN;
            try {
                Reply job = expect(201, other.create(other.dataset(4), Map.of("max_steps", 1)));
                Reply done = other.await(job.get("id"), 60);
                assertEquals("FAILED", done.get("status"));
                assertTrue(((String) done.get("error")).contains("401"), done::toString);
            } finally {
                other.server.close();
            }
        }
    }
}

package io.adapterops.service.training;

import io.adapterops.service.support.Api;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Upload a dataset, train on the in-process trainer, find a REGISTERED version. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingServiceTest {
    TestServer server;
    String admin;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        server = TestServer.start(TestDatabases.h2(dir));
        admin = TestServer.ADMIN_TOKEN;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** The first rows of the shipped helpdesk set, uploaded as a new ALPACA dataset. */
    String dataset(int rows) throws IOException {
        String name = Api.unique("helpdesk");
        expect(201, server.post("/api/v1/datasets", admin, server.json(Map.of("name", name, "format", "ALPACA"))));
        String all;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String subset = String.join("\n", all.lines().limit(rows).toList()) + "\n";
        DatasetUploading.uploaded(server, admin, name, subset);
        return name;
    }

    Reply create(String dataset, Map<String, Object> hyperparameters) {
        return server.post("/api/v1/training-jobs", admin, server.json(Map.of("adapter", Api.unique("helpdesk-lora"),
                "baseModel", Api.BASE, "dataset", dataset, "objective", "SFT", "hyperparameters", hyperparameters)));
    }

    Reply await(Object id, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 10; i++) {
            Reply r = expect(200, server.get("/api/v1/training-jobs/" + id, admin));
            String status = (String) r.get("status");
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not finish in " + seconds + " s");
    }

    @Test
    void aJobTrainsInProcessStreamsProgressAndRegistersAVersion() throws Exception {
        Reply job = expect(201, create(dataset(12), Map.of("max_steps", 6, "per_device_train_batch_size", 4,
                "learning_rate", 5e-3, "eval_steps", 3, "save_steps", 3, "val_size", 0.2, "cutoff_len", 256)));
        Object id = job.get("id");
        HttpResponse<String> sse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.context().getBean(io.micronaut.runtime.server.EmbeddedServer.class)
                                .getPort() + "/api/v1/training-jobs/" + id + "/events"))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sse.statusCode());
        assertTrue(sse.body().matches("(?s).*event: ?progress.*event: ?end.*"), sse.body());

        Reply done = await(id, 120);
        assertEquals("SUCCEEDED", done.get("status"), done::toString);
        Map<?, ?> progress = (Map<?, ?>) done.get("progress");
        assertEquals(6, ((Number) progress.get("step")).intValue());
        int version = ((Number) done.get("adapterVersion")).intValue();
        Reply v = expect(200, server.get(Api.path((String) job.get("adapter"), version), admin));
        assertEquals("REGISTERED", v.get("state"));
        assertEquals(((Number) id).longValue(), ((Number) v.get("trainingJobId")).longValue());
        Path adapter = Path.of(URI.create((String) v.get("artifactUri")));
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_config.json")));
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
        assertTrue(Files.readString(adapter.resolve("training_summary.json")).contains("sha256:"),
                "the summary names the dataset version");

        Map<?, ?> run = (Map<?, ?>) ((List<?>) expect(200, server.get("/api/v1/runs?experiment=" + job.get("adapter"),
                admin)).get("items")).get(0);
        assertEquals("FINISHED", run.get("status"));
        assertEquals(((Number) id).longValue(), ((Number) run.get("trainingJobId")).longValue());
        List<?> losses = (List<?>) expect(200, server.get("/api/v1/runs/" + run.get("id") + "/metrics/train_loss",
                admin)).json();
        assertEquals(6, losses.size(), "one train_loss point per step");
    }

    @Test
    void aFailedJobsProgressStreamEndsWithTheReason() throws Exception {
        // A learning rate this large overflows float32 on the second step: the run stops as diverged.
        Reply job = expect(201, create(dataset(4), Map.of("max_steps", 3, "learning_rate", 1e30, "val_size", 0)));
        Reply done = await(job.get("id"), 60);
        assertEquals("FAILED", done.get("status"), done::toString);
        String error = (String) done.get("error");
        assertTrue(error.contains("diverged") && error.contains("learning_rate"), error);

        HttpResponse<String> sse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.context().getBean(io.micronaut.runtime.server.EmbeddedServer.class)
                                .getPort() + "/api/v1/training-jobs/" + job.get("id") + "/events"))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
        String end = sse.body().lines().filter(l -> l.startsWith("data:")).reduce((a, b) -> b).orElseThrow();
        assertTrue(end.contains("\"status\":\"FAILED\"") && end.contains("diverged"), sse.body());
        List<?> trail = (List<?>) expect(200, server.get("/api/v1/audit?subject=training-job:" + job.get("id"),
                admin)).get("items");
        Map<?, ?> failed = (Map<?, ?>) trail.get(trail.size() - 1);
        assertEquals("training-job.failed", failed.get("action"));
        assertEquals(error, failed.get("reason"));
    }

    @Test
    void aCancelledJobStopsAndRegistersNothing() throws Exception {
        Reply job = expect(201, create(dataset(12), Map.of("max_steps", 5000, "per_device_train_batch_size", 2,
                "eval_steps", 0, "save_steps", 0)));
        Object id = job.get("id");
        for (int i = 0; i < 300 && !"RUNNING".equals(server.get("/api/v1/training-jobs/" + id, admin).get("status")); i++) {
            Thread.sleep(50);
        }
        expect(200, server.post("/api/v1/training-jobs/" + id + "/cancel", admin, "{}"));
        Reply done = await(id, 60);
        assertEquals("CANCELLED", done.get("status"));
        assertNull(done.get("adapterVersion"));
        Reply again = server.post("/api/v1/training-jobs/" + id + "/cancel", admin, "{}");
        assertEquals(409, again.status());
        assertEquals(404, server.get("/api/v1/adapters/" + job.get("adapter"), admin).status(),
                "no adapter was registered");
    }

    /**
     * The runner's QUEUED → RUNNING update racing a user's cancel, made deterministic: another
     * transaction holds the job row changed but uncommitted while the cancel reads and tries to
     * write; when it commits, the cancel's optimistic lock fails and the cancel must try again.
     */
    @Test
    void aCancelThatLosesARaceWithTheRunnerIsRetriedNotRefused() throws Exception {
        String data = dataset(4);
        TrainingJobRepository repository = server.context().getBean(TrainingJobRepository.class);
        TrainingJob template = repository.findById(((Number) expect(201, create(data, Map.of("max_steps", 1)))
                .get("id")).longValue()).orElseThrow();
        Instant now = Instant.now();
        TrainingJob queued = repository.save(new TrainingJob(null, template.adapterName() + "-raced",
                template.baseModel(), template.datasetId(), template.datasetVersionId(), template.objective(),
                template.hyperparameters(), TrainingJob.JobStatus.QUEUED, null, null, null, "admin", now, now, null));
        DataSource ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
        try (Connection runner = ds.getConnection()) {
            runner.setAutoCommit(false);
            try (PreparedStatement start = runner.prepareStatement(
                    "UPDATE training_job SET status = 'RUNNING', version = version + 1 WHERE id = ?")) {
                start.setLong(1, queued.id());
                assertEquals(1, start.executeUpdate());
            }
            CompletableFuture<Reply> cancel = CompletableFuture.supplyAsync(
                    () -> server.post("/api/v1/training-jobs/" + queued.id() + "/cancel", admin, "{}"));
            Thread.sleep(500);
            assertFalse(cancel.isDone(), "the cancel waits on the row the runner holds");
            runner.commit();
            Reply r = cancel.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r::toString);
            assertEquals("CANCELLED", r.get("status"));
        }
        assertEquals(TrainingJob.JobStatus.CANCELLED, repository.findById(queued.id()).orElseThrow().status());
    }

    @Test
    void badHyperparametersAndMismatchedObjectivesAreRefusedBeforeAnythingIsQueued() throws Exception {
        String data = dataset(4);
        long before = server.rows("training_job");
        Reply unknown = create(data, Map.of("learning_rat", 1e-4));
        assertEquals(400, unknown.status(), unknown::toString);
        assertEquals("hyperparameters", unknown.get("field"));
        assertTrue(((String) unknown.get("detail")).contains("learning_rat"), unknown::toString);
        Reply dpo = server.post("/api/v1/training-jobs", admin, server.json(Map.of("adapter", "x", "baseModel",
                Api.BASE, "dataset", data, "objective", "DPO")));
        assertEquals(400, dpo.status(), dpo::toString);
        assertEquals("objective", dpo.get("field"));
        Reply model = server.post("/api/v1/training-jobs", admin, server.json(Map.of("adapter", "x", "baseModel",
                "llama-70b", "dataset", data, "objective", "SFT")));
        assertEquals(409, model.status(), model::toString);
        assertEquals(before, server.rows("training_job"));
    }
}

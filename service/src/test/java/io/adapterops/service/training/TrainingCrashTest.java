package io.adapterops.service.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.support.ServiceProcess;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as a user runs it (its own JVM), killed with SIGKILL in the middle of a training job:
 * restarted on the default relative {@code ./data}, or replaced by another replica on PostgreSQL.
 * Either way the job resumes from its checkpoint, ends SUCCEEDED, its run's history has one point
 * per step, and the audit tells the whole story.
 */
class TrainingCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aJobKilledMidRunOnTheDefaultDataDirResumesLogsEachStepOnceAndIsAudited(@TempDir Path cwd) throws Exception {
        int steps = 24;
        int saveEvery = 8;
        long job;
        long run;
        long loggedAtKill;
        // The restarted service listens on another port; its name (default host:port) is kept, as a
        // restarted replica's is, so it takes its own interrupted job back without waiting for the lease.
        Map<String, String> env = Map.of("ADAPTEROPS_REPLICA_ID", "crash-test");
        try (ServiceProcess first = ServiceProcess.start(cwd, env)) {
            String base = first.url("");
            job = submit(base, steps, saveEvery);
            run = awaitRun(base);
            loggedAtKill = killBetweenCheckpoints(first, run, steps, saveEvery);
        }
        assertTrue(Files.isDirectory(cwd.resolve("data/db")), "the service kept its state in ./data");

        try (ServiceProcess second = ServiceProcess.start(cwd, env)) {
            long from = assertFinishedOnceAndAudited(second.url(""), job, run, steps, saveEvery,
                    "crash-test", "crash-test");
            assertTrue(loggedAtKill > from, "steps " + (from + 1) + ".." + loggedAtKill + " ran twice");
        }
    }

    @Test
    void aJobOfAKilledReplicaIsFinishedByAnotherFromItsLastCheckpoint(@TempDir Path dir) throws Exception {
        int steps = 40;
        int saveEvery = 10;
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        Map<String, Object> props = pg.properties(dir.resolve("shared-data"));
        props.put("adapterops.replica-id", "replica-b");
        props.put("adapterops.jobs.lease", "3s");
        Map<String, String> env = new HashMap<>();
        env.put("DATASOURCES_DEFAULT_URL", (String) props.get("datasources.default.url"));
        env.put("DATASOURCES_DEFAULT_USERNAME", (String) props.get("datasources.default.username"));
        env.put("DATASOURCES_DEFAULT_PASSWORD", (String) props.get("datasources.default.password"));
        env.put("FLYWAY_DATASOURCES_DEFAULT_SCHEMAS", pg.schema());
        env.put("ADAPTEROPS_DATA_DIR", dir.resolve("shared-data").toString());
        env.put("ADAPTEROPS_REPLICA_ID", "replica-a");
        env.put("ADAPTEROPS_JOB_LEASE", "3s");
        try {
            long job;
            long run;
            long loggedAtKill;
            try (ServiceProcess a = ServiceProcess.start(dir, env)) {
                job = submit(a.url(""), steps, saveEvery);
                run = awaitRun(a.url(""));
                // B starts while A trains (A holds a live lease, so B leaves the job alone), then A dies.
                try (TestServer b = TestServer.start(props)) {
                    loggedAtKill = killBetweenCheckpoints(a, run, steps, saveEvery);
                    String viaB = "http://127.0.0.1:" + b.context().getBean(EmbeddedServer.class).getPort();
                    long from = assertFinishedOnceAndAudited(viaB, job, run, steps, saveEvery, "replica-a", "replica-b");
                    assertTrue(loggedAtKill > from, "steps " + (from + 1) + ".." + loggedAtKill + " ran twice");
                }
            }
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }

    private long submit(String base, int steps, int saveEvery) throws Exception {
        call(base, "POST", "/api/v1/datasets", "{\"name\":\"helpdesk\",\"format\":\"ALPACA\"}", 201);
        String upload = (String) call(base, "POST", "/api/v1/datasets/helpdesk/versions", shippedRows(), 202)
                .get("location");
        Map<?, ?> u = call(base, "GET", upload, null, 200);
        for (int i = 0; List.of("RECEIVING", "QUEUED", "RUNNING").contains(u.get("status")) && i < 1200; i++) {
            Thread.sleep(50);
            u = call(base, "GET", upload, null, 200);
        }
        assertEquals("SUCCEEDED", u.get("status"), u::toString);
        return ((Number) call(base, "POST", "/api/v1/training-jobs", JSON.writeValueAsString(Map.of(
                "adapter", "helpdesk-sft", "baseModel", "tiny-llama", "dataset", "helpdesk", "objective", "SFT",
                "hyperparameters", Map.of("max_steps", steps, "save_steps", saveEvery, "val_size", 0,
                        "per_device_train_batch_size", 8, "learning_rate", 5e-3))), 201).get("id")).longValue();
    }

    /** Returns the step the job resumed from. */
    private long assertFinishedOnceAndAudited(String base, long job, long run, int steps, int saveEvery,
                                              String startedOn, String resumedOn) throws Exception {
        Map<?, ?> done = awaitFinished(base, job);
        assertEquals("SUCCEEDED", done.get("status"), done::toString);

        List<?> history = (List<?>) call(base, "GET", "/api/v1/runs/" + run + "/metrics/train_loss", null, 200)
                .get("items");
        List<Long> logged = history.stream().map(p -> ((Number) ((Map<?, ?>) p).get("step")).longValue()).toList();
        assertEquals(LongStream.rangeClosed(1, steps).boxed().toList(), logged, "one point per step");

        List<?> trail = (List<?>) call(base, "GET", "/api/v1/audit?size=50&subject=training-job:" + job, null, 200)
                .get("items");
        List<?> actions = trail.stream().map(e -> ((Map<?, ?>) e).get("action")).toList();
        assertEquals(List.of("training-job.created", "training-job.started", "training-job.interrupted",
                "training-job.resumed", "training-job.succeeded"), actions, trail::toString);
        assertTrue(reason(trail, 1).contains("replica " + startedOn), trail::toString);
        assertTrue(reason(trail, 2).contains("replica " + startedOn + " stopped")
                && reason(trail, 2).contains(resumedOn + " resumes it"), trail::toString);
        long from = Long.parseLong(reason(trail, 3).replaceAll("from step (\\d+) of \\d+", "$1"));
        assertEquals(0, from % saveEvery, reason(trail, 3));
        return from;
    }

    private static String reason(List<?> trail, int i) {
        return (String) ((Map<?, ?>) trail.get(i)).get("reason");
    }

    private static String shippedRows() throws IOException {
        try (InputStream in = TrainingCrashTest.class.getClassLoader()
                .getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private long awaitRun(String base) throws Exception {
        for (int i = 0; i < 1200; i++) {
            List<?> runs = (List<?>) call(base, "GET", "/api/v1/runs?experiment=helpdesk-sft", null, 200)
                    .get("items"); // absent while empty
            if (runs != null) {
                return ((Number) ((Map<?, ?>) runs.get(0)).get("id")).longValue();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job's run never started");
    }

    /** Kills the service once more steps are logged than its last checkpoint holds; returns how many. */
    private long killBetweenCheckpoints(ServiceProcess service, long run, int steps, int saveEvery) throws Exception {
        for (int i = 0; i < 6000; i++) {
            Map<?, ?> metrics = (Map<?, ?>) call(service.url(""), "GET", "/api/v1/runs/" + run, null, 200)
                    .get("latestMetrics");
            Map<?, ?> latest = metrics == null ? null : (Map<?, ?>) metrics.get("train_loss"); // absent while empty
            long logged = latest == null ? 0 : ((Number) latest.get("step")).longValue();
            if (logged > saveEvery && logged % saveEvery != 0 && logged < steps) {
                service.kill();
                return logged;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("never saw a step between two checkpoints:\n" + service.output());
    }

    private Map<?, ?> awaitFinished(String base, long job) throws Exception {
        for (int i = 0; i < 1800; i++) {
            Map<?, ?> j = call(base, "GET", "/api/v1/training-jobs/" + job, null, 200);
            if (!List.of("QUEUED", "RUNNING").contains(j.get("status"))) {
                return j;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " did not finish after the kill");
    }

    private Map<?, ?> call(String base, String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), () -> method + " " + path + ": " + r.body());
        Object parsed = JSON.readValue(r.body(), Object.class);
        return parsed instanceof List<?> list ? Map.of("items", list) : (Map<?, ?>) parsed;
    }
}

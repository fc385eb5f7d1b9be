package io.adapterops.service.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.support.ServiceProcess;
import io.adapterops.service.support.TestServer;
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
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as a user runs it (its own JVM, the default relative {@code ./data}), killed with
 * SIGKILL in the middle of a training job and started again: the job resumes from its checkpoint,
 * ends SUCCEEDED, its run's history has one point per step, and the audit tells the whole story.
 */
class TrainingCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEPS = 24;
    private static final int SAVE_EVERY = 8;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aJobKilledMidRunOnTheDefaultDataDirResumesLogsEachStepOnceAndIsAudited(@TempDir Path cwd) throws Exception {
        long job;
        long run;
        long loggedAtKill;
        // The restarted service listens on another port; its name (default host:port) is kept, as a
        // restarted replica's is, so it takes its own interrupted job back without waiting for the lease.
        Map<String, String> env = Map.of("ADAPTEROPS_REPLICA_ID", "crash-test");
        try (ServiceProcess first = ServiceProcess.start(cwd, env)) {
            call(first, "POST", "/api/v1/datasets", "{\"name\":\"helpdesk\",\"format\":\"ALPACA\"}", 201);
            call(first, "POST", "/api/v1/datasets/helpdesk/versions", shippedRows(), 201);
            job = ((Number) call(first, "POST", "/api/v1/training-jobs", JSON.writeValueAsString(Map.of(
                    "adapter", "helpdesk-sft", "baseModel", "tiny-llama", "dataset", "helpdesk", "objective", "SFT",
                    "hyperparameters", Map.of("max_steps", STEPS, "save_steps", SAVE_EVERY, "val_size", 0,
                            "per_device_train_batch_size", 8, "learning_rate", 5e-3))), 201).get("id")).longValue();
            run = awaitRun(first);
            loggedAtKill = killBetweenCheckpoints(first, run);
        }
        assertTrue(Files.isDirectory(cwd.resolve("data/db")), "the service kept its state in ./data");

        try (ServiceProcess second = ServiceProcess.start(cwd, env)) {
            Map<?, ?> done = awaitFinished(second, job);
            assertEquals("SUCCEEDED", done.get("status"), () -> done + "\n" + output(second));

            List<?> history = (List<?>) call(second, "GET", "/api/v1/runs/" + run + "/metrics/train_loss", null, 200)
                    .get("items");
            List<Long> steps = history.stream().map(p -> ((Number) ((Map<?, ?>) p).get("step")).longValue()).toList();
            assertEquals(LongStream.rangeClosed(1, STEPS).boxed().toList(), steps, "one point per step");

            List<?> trail = (List<?>) call(second, "GET", "/api/v1/audit?size=50&subject=training-job:" + job, null,
                    200).get("items");
            List<?> actions = trail.stream().map(e -> ((Map<?, ?>) e).get("action")).toList();
            assertEquals(List.of("training-job.created", "training-job.started", "training-job.interrupted",
                    "training-job.resumed", "training-job.succeeded"), actions, trail::toString);
            String resumed = (String) ((Map<?, ?>) trail.get(3)).get("reason");
            long from = Long.parseLong(resumed.replaceAll("from step (\\d+) of \\d+", "$1"));
            assertEquals(0, from % SAVE_EVERY, resumed);
            assertTrue(loggedAtKill > from, "steps " + (from + 1) + ".." + loggedAtKill + " ran twice: " + resumed);
        }
    }

    private static String shippedRows() throws IOException {
        try (InputStream in = TrainingCrashTest.class.getClassLoader()
                .getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private long awaitRun(ServiceProcess service) throws Exception {
        for (int i = 0; i < 1200; i++) {
            List<?> runs = (List<?>) call(service, "GET", "/api/v1/runs?experiment=helpdesk-sft", null, 200)
                    .get("items"); // absent while empty
            if (runs != null) {
                return ((Number) ((Map<?, ?>) runs.get(0)).get("id")).longValue();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job's run never started:\n" + output(service));
    }

    /** Kills the service once more steps are logged than its last checkpoint holds; returns how many. */
    private long killBetweenCheckpoints(ServiceProcess service, long run) throws Exception {
        for (int i = 0; i < 6000; i++) {
            Map<?, ?> metrics = (Map<?, ?>) call(service, "GET", "/api/v1/runs/" + run, null, 200).get("latestMetrics");
            Map<?, ?> latest = metrics == null ? null : (Map<?, ?>) metrics.get("train_loss"); // absent while empty
            long logged = latest == null ? 0 : ((Number) latest.get("step")).longValue();
            if (logged > SAVE_EVERY && logged % SAVE_EVERY != 0 && logged < STEPS) {
                service.kill();
                return logged;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("never saw a step between two checkpoints:\n" + output(service));
    }

    private Map<?, ?> awaitFinished(ServiceProcess service, long job) throws Exception {
        for (int i = 0; i < 1800; i++) {
            Map<?, ?> j = call(service, "GET", "/api/v1/training-jobs/" + job, null, 200);
            if (!List.of("QUEUED", "RUNNING").contains(j.get("status"))) {
                return j;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " did not finish after the restart:\n" + output(service));
    }

    private Map<?, ?> call(ServiceProcess service, String method, String path, String body, int expected)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url(path)))
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

    private static String output(ServiceProcess service) {
        try {
            return service.output();
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}

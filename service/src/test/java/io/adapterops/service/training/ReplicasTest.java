package io.adapterops.service.training;

import io.adapterops.service.evaluation.EvaluationServiceTest;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestAdapters;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two service replicas on one PostgreSQL sharing one data dir (the volume every node mounts): job
 * state lives in the database, so either replica follows and cancels any job, and a replica that
 * starts while the other works takes nothing away from it.
 */
class ReplicasTest {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;

    private static Map<String, Object> props(TestDatabases.PgSchema pg, Path data, String replica) {
        Map<String, Object> p = pg.properties(data);
        p.put("adapterops.replica-id", replica);
        p.put("adapterops.jobs.lease", "3s");
        p.put("adapterops.evaluation.max-new-tokens", 8);
        return p;
    }

    private static String dataset(TestServer server) throws Exception {
        String name = Api.unique("helpdesk");
        expect(201, server.post("/api/v1/datasets", ADMIN, server.json(Map.of("name", name, "format", "ALPACA"))));
        try (InputStream in = ReplicasTest.class.getClassLoader().getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            String rows = String.join("\n", new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().limit(40)
                    .toList()) + "\n";
            DatasetUploading.uploaded(server, ADMIN, name, rows);
        }
        return name;
    }

    private static Reply job(TestServer server, String dataset, int steps) {
        return expect(201, server.post("/api/v1/training-jobs", ADMIN, server.json(Map.of("adapter",
                Api.unique("replica-lora"), "baseModel", Api.BASE, "dataset", dataset, "objective", "SFT",
                "hyperparameters", Map.of("max_steps", steps, "per_device_train_batch_size", 8, "save_steps", 5,
                        "val_size", 0)))));
    }

    private static Reply await(TestServer server, Object id, String... statuses) throws InterruptedException {
        for (int i = 0; i < 1800; i++) {
            Reply r = expect(200, server.get("/api/v1/training-jobs/" + id, ADMIN));
            if (List.of(statuses).contains(r.get("status"))) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " never reached " + List.of(statuses));
    }

    private static List<?> audit(TestServer server, String subject) {
        return (List<?>) expect(200, server.get("/api/v1/audit?size=100&subject=" + subject, ADMIN)).get("items");
    }

    private static List<Object> actions(List<?> trail) {
        return trail.stream().map(e -> ((Map<?, ?>) e).get("action")).map(Object.class::cast).toList();
    }

    @Test
    void aJobSubmittedOnOneReplicaIsFollowedAndCancelledOnTheOther(@TempDir Path data) throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        try (TestServer a = TestServer.start(props(pg, data, "replica-a"));
             TestServer b = TestServer.start(props(pg, data, "replica-b"))) {
            Object id = job(a, dataset(a), 5000).get("id");
            await(a, id, "RUNNING");
            int port = b.context().getBean(EmbeddedServer.class).getPort();
            CompletableFuture<HttpResponse<String>> stream = HttpClient.newHttpClient().sendAsync(HttpRequest
                    .newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/training-jobs/" + id + "/events"))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            for (int i = 0; i < 600 && expect(200, b.get("/api/v1/training-jobs/" + id, ADMIN)).get("progress") == null; i++) {
                Thread.sleep(50);
            }
            expect(200, b.post("/api/v1/training-jobs/" + id + "/cancel", ADMIN, "{}"));

            String events = stream.get(120, java.util.concurrent.TimeUnit.SECONDS).body();
            assertTrue(events.matches("(?s).*event: ?progress.*event: ?end.*\"status\":\"CANCELLED\".*"), events);
            assertEquals("CANCELLED", expect(200, a.get("/api/v1/training-jobs/" + id, ADMIN)).get("status"));
            Map<?, ?> run = (Map<?, ?>) ((List<?>) expect(200, a.get("/api/v1/runs?experiment="
                    + expect(200, a.get("/api/v1/training-jobs/" + id, ADMIN)).get("adapter"), ADMIN)).get("items")).get(0);
            for (int i = 0; i < 300 && "RUNNING".equals(expect(200, a.get("/api/v1/runs/" + run.get("id"), ADMIN))
                    .map().get("run") instanceof Map<?, ?> r ? r.get("status") : null); i++) {
                Thread.sleep(100);
            }
            Map<?, ?> ended = (Map<?, ?>) expect(200, a.get("/api/v1/runs/" + run.get("id"), ADMIN)).get("run");
            assertEquals("KILLED", ended.get("status"), "the replica that trained it stopped: " + ended);
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }

    @Test
    void aReplicaStartingWhileTheOtherTrainsAndEvaluatesTakesNothingFromIt(@TempDir Path data) throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        try (TestServer a = TestServer.start(props(pg, data, "replica-a"))) {
            Path suites = a.context().getBean(ModelStore.class).dataDir().resolve("suites");
            Files.createDirectories(suites);
            Files.writeString(suites.resolve("mini-red-team.jsonl"), EvaluationServiceTest.RED_TEAM);
            Api api = new Api(a);
            String adapter = api.adapter();
            String uri = TestAdapters.write(a, Api.BASE, adapter);
            int version = ((Number) expect(201, a.post("/api/v1/adapters/" + adapter + "/versions", ADMIN,
                    a.json(Map.of("artifactUri", uri)))).get("version")).intValue();
            Object evaluation = expect(202, a.post(Api.path(adapter, version) + "/evaluations", ADMIN,
                    a.json(Map.of("suites", List.of("mini-red-team"))))).get("id");
            Reply job = job(a, dataset(a), 30);
            Object id = job.get("id");
            await(a, id, "RUNNING");

            try (TestServer b = TestServer.start(props(pg, data, "replica-b"))) {
                Reply done = await(b, id, "SUCCEEDED", "FAILED", "CANCELLED");
                assertEquals("SUCCEEDED", done.get("status"), done::toString);
                Reply evaluated = EvaluationServiceTest.awaitRun(b, adapter, version, evaluation);
                assertEquals("SUCCEEDED", evaluated.get("status"), evaluated::toString);
            }
            List<Object> trail = actions(audit(a, "training-job:" + id));
            assertEquals(List.of("training-job.created", "training-job.started", "training-job.succeeded"), trail);
            assertTrue(((String) ((Map<?, ?>) audit(a, "training-job:" + id).get(1)).get("reason"))
                    .contains("replica-a"), "replica A started it");
            Map<?, ?> run = (Map<?, ?>) ((List<?>) expect(200, a.get("/api/v1/runs?experiment=" + job.get("adapter"),
                    ADMIN)).get("items")).get(0);
            List<?> points = (List<?>) expect(200, a.get("/api/v1/runs/" + run.get("id") + "/metrics/train_loss",
                    ADMIN)).json();
            assertEquals(LongStream.rangeClosed(1, 30).boxed().toList(),
                    points.stream().map(p -> ((Number) ((Map<?, ?>) p).get("step")).longValue()).toList());
            assertFalse(actions(audit(a, "evaluation-run:" + evaluation)).contains("evaluation.failed"));
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }

    /**
     * Each replica in turn is down while the other takes a training job and an evaluation, and starts
     * up while the other runs them: a start-up takes nothing over and fails nothing.
     */
    @Test
    void eachReplicaStartingWhileTheOtherTrainsAndEvaluatesRunsNothingTwiceAndFailsNothing(@TempDir Path data)
            throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        int steps = 20;
        TestServer a = TestServer.start(props(pg, data, "replica-a"));
        TestServer b = TestServer.start(props(pg, data, "replica-b"));
        try {
            Path suites = a.context().getBean(ModelStore.class).dataDir().resolve("suites");
            Files.createDirectories(suites);
            Files.writeString(suites.resolve("restart-red-team.jsonl"), longerRedTeam());
            String dataset = dataset(a);
            List<Map<String, Object>> work = new java.util.ArrayList<>();
            for (String restarted : List.of("replica-b", "replica-a")) {
                TestServer worker = restarted.equals("replica-b") ? a : b;
                (restarted.equals("replica-b") ? b : a).close();
                Api api = new Api(worker);
                String adapter = api.adapter();
                int version = ((Number) expect(201, worker.post("/api/v1/adapters/" + adapter + "/versions", ADMIN,
                        worker.json(Map.of("artifactUri", TestAdapters.write(worker, Api.BASE, adapter)))))
                        .get("version")).intValue();
                Object evaluation = expect(202, worker.post(Api.path(adapter, version) + "/evaluations", ADMIN,
                        worker.json(Map.of("suites", List.of("restart-red-team"))))).get("id");
                Reply job = job(worker, dataset, steps);
                await(worker, job.get("id"), "RUNNING");
                TestServer started = TestServer.start(props(pg, data, restarted));
                if (restarted.equals("replica-b")) {
                    b = started;
                } else {
                    a = started;
                }
                Reply done = await(started, job.get("id"), "SUCCEEDED", "FAILED", "CANCELLED");
                assertEquals("SUCCEEDED", done.get("status"), done::toString);
                Reply evaluated = awaitEvaluation(started, adapter, version, evaluation);
                assertEquals("SUCCEEDED", evaluated.get("status"), evaluated::toString);
                work.add(Map.of("job", job.get("id"), "adapter", job.get("adapter"), "evaluation", evaluation,
                        "trainer", restarted.equals("replica-b") ? "replica-a" : "replica-b"));
            }
            for (Map<String, Object> w : work) {
                List<?> trail = audit(a, "training-job:" + w.get("job"));
                assertEquals(List.of("training-job.created", "training-job.started", "training-job.succeeded"),
                        actions(trail), "ran once, never taken over: " + trail);
                assertTrue(((String) ((Map<?, ?>) trail.get(1)).get("reason")).contains((String) w.get("trainer")),
                        trail::toString);
                Map<?, ?> run = (Map<?, ?>) ((List<?>) expect(200, a.get("/api/v1/runs?experiment=" + w.get("adapter"),
                        ADMIN)).get("items")).get(0);
                List<?> points = (List<?>) expect(200, a.get("/api/v1/runs/" + run.get("id") + "/metrics/train_loss",
                        ADMIN)).json();
                assertEquals(LongStream.rangeClosed(1, steps).boxed().toList(),
                        points.stream().map(p -> ((Number) ((Map<?, ?>) p).get("step")).longValue()).toList());
                assertFalse(actions(audit(a, "evaluation-run:" + w.get("evaluation"))).contains("evaluation.failed"));
            }
        } finally {
            a.close();
            b.close();
            TestDatabases.dropSchema(pg);
        }
    }

    /** The mini red-team suite four times over (distinct ids), so an evaluation outlasts a replica's start-up. */
    private static String longerRedTeam() {
        List<String> lines = EvaluationServiceTest.RED_TEAM.lines().toList();
        StringBuilder suite = new StringBuilder(lines.get(0).replace("mini-red-team", "restart-red-team")).append('\n');
        for (int copy = 0; copy < 4; copy++) {
            for (String line : lines.subList(1, lines.size())) {
                suite.append(line.replaceFirst("\"id\": \"(\\w+)\"", "\"id\": \"$1-" + copy + "\"")).append('\n');
            }
        }
        return suite.toString();
    }

    private static Reply awaitEvaluation(TestServer server, String adapter, int version, Object id)
            throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            Reply r = expect(200, server.get(Api.path(adapter, version) + "/evaluation-runs/" + id, ADMIN));
            if (!"RUNNING".equals(r.get("status"))) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("evaluation run " + id + " did not finish in 5 minutes");
    }
}

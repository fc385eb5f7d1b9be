package io.adapterops.service.training;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.ServiceProcess;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet as it is deployed: service replicas and three trainer nodes (each its own JVM, as
 * {@code ./adapterops worker} starts it with database settings) on one PostgreSQL, sharing one data
 * dir. Training jobs reach the nodes only through the trainers' Quartz scheduler.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerFleetTest {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final Pattern NODE = Pattern.compile("replica (node-\\d)");

    private Path dir;
    private TestDatabases.PgSchema pg;
    private Path shared;
    private TestServer service;
    private final Map<String, ServiceProcess> nodes = new TreeMap<>();
    private String dataset;
    private Object reference;

    private Map<String, Object> serviceProps(String replica) {
        Map<String, Object> p = pg.properties(shared);
        p.put("adapterops.replica-id", replica);
        p.put("adapterops.jobs.lease", "3s");
        p.put("adapterops.fleet.enabled", "true");
        return p;
    }

    @BeforeAll
    void startFleet(@TempDir Path tmp) throws Exception {
        dir = tmp;
        pg = TestDatabases.postgres();
        shared = dir.resolve("shared-data");
        service = TestServer.start(serviceProps("service-a"));
        Map<String, Object> props = serviceProps("unused");
        Map<String, CompletableFuture<ServiceProcess>> starting = new LinkedHashMap<>();
        for (String name : List.of("node-1", "node-2", "node-3")) {
            Map<String, String> env = new HashMap<>();
            env.put("DATASOURCES_DEFAULT_URL", (String) props.get("datasources.default.url"));
            env.put("DATASOURCES_DEFAULT_USERNAME", (String) props.get("datasources.default.username"));
            env.put("DATASOURCES_DEFAULT_PASSWORD", (String) props.get("datasources.default.password"));
            env.put("FLYWAY_DATASOURCES_DEFAULT_SCHEMAS", pg.schema());
            env.put("ADAPTEROPS_DATA_DIR", shared.toString());
            env.put("ADAPTEROPS_REPLICA_ID", name);
            env.put("ADAPTEROPS_JOB_LEASE", "3s");
            env.put("ADAPTEROPS_FLEET", "true");
            env.put("ADAPTEROPS_FLEET_NODE", "true");
            env.put("ADAPTEROPS_FLEET_CHECKIN", "1s");
            env.put("ADAPTEROPS_FLEET_IDLE_WAIT", "1s");
            starting.put(name, CompletableFuture.supplyAsync(() -> {
                try {
                    return ServiceProcess.start(dir, env);
                } catch (Exception e) {
                    throw new IllegalStateException(name + " did not start", e);
                }
            }));
        }
        for (Map.Entry<String, CompletableFuture<ServiceProcess>> e : starting.entrySet()) {
            nodes.put(e.getKey(), e.getValue().get(180, TimeUnit.SECONDS));
        }
        dataset = dataset(service);
    }

    @AfterAll
    void stopFleet() throws Exception {
        for (ServiceProcess node : nodes.values()) {
            node.close();
        }
        if (service != null) {
            service.close();
        }
        if (pg != null) {
            TestDatabases.dropSchema(pg);
        }
    }

    @Test
    @Order(1)
    void nineQueuedJobsRunOnceEachOneAtATimePerNodeAndEveryNodeTakesWork() throws Exception {
        int steps = 4;
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ids.add(job(service, Api.unique("fleet-lora"), steps, 2).get("id"));
        }
        Map<String, List<Instant[]>> busy = new TreeMap<>();
        for (Object id : ids) {
            Reply done = await(service, id, "SUCCEEDED", "FAILED", "CANCELLED");
            assertEquals("SUCCEEDED", done.get("status"), done::toString);
            List<?> trail = audit(service, "training-job:" + id);
            assertEquals(List.of("training-job.created", "training-job.started", "training-job.succeeded"),
                    actions(trail), "job " + id + " ran exactly once: " + trail);
            String node = node(reason(trail, 1));
            busy.computeIfAbsent(node, n -> new ArrayList<>()).add(new Instant[]{at(trail, 1), at(trail, 2)});
            assertEquals(LongStream.rangeClosed(1, steps).boxed().toList(), steps(service, (String) done.get("adapter")),
                    "one metric point per step of job " + id);
        }
        assertEquals(Set.of("node-1", "node-2", "node-3"), busy.keySet(), "every node took work: " + busy.keySet());
        for (Map.Entry<String, List<Instant[]>> e : busy.entrySet()) {
            List<Instant[]> spans = e.getValue().stream().sorted(Comparator.comparing(s -> s[0])).toList();
            for (int i = 1; i < spans.size(); i++) {
                assertTrue(!spans.get(i)[0].isBefore(spans.get(i - 1)[1]), e.getKey() + " ran two jobs at once: "
                        + spans.stream().map(s -> s[0] + ".." + s[1]).collect(Collectors.joining(", ")));
            }
        }
    }

    @Test
    @Order(2)
    void aJobOfANodeKilledMidRunIsFinishedByAnotherFromItsCheckpointBitForBit() throws Exception {
        int steps = 12;
        int saveEvery = 4;
        reference = job(service, Api.unique("fleet-reference"), steps, saveEvery).get("id");
        assertEquals("SUCCEEDED", await(service, reference, "SUCCEEDED", "FAILED").get("status"));

        Reply killed = job(service, Api.unique("fleet-killed"), steps, saveEvery);
        Object id = killed.get("id");
        String adapter = (String) killed.get("adapter");
        String first = node(reason(awaitAudit(service, id, "training-job.started"), 1));
        long loggedAtKill = killBetweenCheckpoints(nodes.get(first), adapter, steps, saveEvery);
        nodes.remove(first);

        Reply done = await(service, id, "SUCCEEDED", "FAILED", "CANCELLED");
        assertEquals("SUCCEEDED", done.get("status"), done::toString);
        List<?> trail = audit(service, "training-job:" + id);
        assertEquals(List.of("training-job.created", "training-job.started", "training-job.interrupted",
                "training-job.resumed", "training-job.succeeded"), actions(trail), trail::toString);
        String second = reason(trail, 2).replaceAll(".*; (node-\\d) resumes it.*", "$1");
        assertTrue(reason(trail, 2).contains("replica " + first + " stopped"), trail::toString);
        assertNotEquals(first, second, "another node finished it: " + trail);
        assertTrue(nodes.containsKey(second), trail::toString);
        long from = Long.parseLong(reason(trail, 3).replaceAll("from step (\\d+) of \\d+", "$1"));
        assertEquals(0, from % saveEvery, reason(trail, 3));
        assertTrue(from > 0 && from < loggedAtKill, "resumed from checkpoint " + from + ", killed after step "
                + loggedAtKill);
        assertEquals(LongStream.rangeClosed(1, steps).boxed().toList(), steps(service, adapter), "one point per step");

        byte[] expected = Files.readAllBytes(adapterFile(reference));
        byte[] actual = Files.readAllBytes(adapterFile(id));
        assertTrue(expected.length > 0 && Arrays.equals(expected, actual),
                "the resumed adapter equals the one trained without a kill, bit for bit");
    }

    @Test
    @Order(3)
    void aJobOfANodeStoppedMidRunIsQueuedAgainAndResumedByAnother() throws Exception {
        int saveEvery = 4;
        Reply submitted = job(service, Api.unique("fleet-stopped"), 5000, saveEvery);
        Object id = submitted.get("id");
        String first = node(reason(awaitAudit(service, id, "training-job.started"), 1));
        ServiceProcess node = nodes.remove(first);
        String runId = String.valueOf(run(service, (String) submitted.get("adapter")).get("id"));
        for (int i = 0; i < 6000 && latestStep(runId) <= saveEvery; i++) {
            Thread.sleep(5);
        }
        node.close();

        List<?> trail = awaitAudit(service, id, "training-job.resumed");
        assertEquals(List.of("training-job.created", "training-job.started", "training-job.interrupted",
                "training-job.resumed"), actions(trail), trail::toString);
        assertTrue(reason(trail, 2).contains("replica " + first + " stopped"), trail::toString);
        assertTrue(nodes.keySet().stream().anyMatch(n -> reason(trail, 2).contains(n + " resumes it")), trail::toString);
        long from = Long.parseLong(reason(trail, 3).replaceAll("from step (\\d+) of \\d+", "$1"));
        assertTrue(from > 0 && from % saveEvery == 0, "resumed from a checkpoint: " + reason(trail, 3));
        expect(200, service.post("/api/v1/training-jobs/" + id + "/cancel", ADMIN, "{}"));
        for (int i = 0; i < 300 && "RUNNING".equals(runStatus(service, runId)); i++) {
            Thread.sleep(100);
        }
        assertEquals("KILLED", runStatus(service, runId), "the node that resumed it stopped at the cancel");
    }

    @Test
    @Order(4)
    void aJobSubmittedOnOneReplicaIsFollowedAndCancelledOnTheOtherAndItsNodeStops() throws Exception {
        try (TestServer b = TestServer.start(serviceProps("service-b"))) {
            Reply submitted = job(service, Api.unique("fleet-cancel"), 5000, 50);
            Object id = submitted.get("id");
            await(b, id, "RUNNING");
            int port = b.context().getBean(EmbeddedServer.class).getPort();
            CompletableFuture<HttpResponse<String>> stream = HttpClient.newHttpClient().sendAsync(HttpRequest
                    .newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/training-jobs/" + id + "/events"))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            for (int i = 0; i < 600 && expect(200, b.get("/api/v1/training-jobs/" + id, ADMIN)).get("progress") == null; i++) {
                Thread.sleep(50);
            }
            expect(200, b.post("/api/v1/training-jobs/" + id + "/cancel", ADMIN, "{}"));

            String events = stream.get(120, TimeUnit.SECONDS).body();
            assertTrue(events.matches("(?s).*event: ?progress.*event: ?end.*\"status\":\"CANCELLED\".*"), events);
            assertEquals("CANCELLED", expect(200, service.get("/api/v1/training-jobs/" + id, ADMIN)).get("status"));
            String runId = String.valueOf(run(service, (String) submitted.get("adapter")).get("id"));
            for (int i = 0; i < 300 && "RUNNING".equals(runStatus(service, runId)); i++) {
                Thread.sleep(100);
            }
            assertEquals("KILLED", runStatus(service, runId), "the node that trained it stopped");
            String node = node(reason(audit(service, "training-job:" + id), 1));
            assertTrue(nodes.containsKey(node), node);
        }
    }

    private Path adapterFile(Object jobId) {
        return shared.resolve("training").resolve("job-" + jobId).resolve("adapter").resolve("adapter_model.safetensors");
    }

    private static String dataset(TestServer server) throws Exception {
        String name = Api.unique("helpdesk");
        expect(201, server.post("/api/v1/datasets", ADMIN, server.json(Map.of("name", name, "format", "ALPACA"))));
        try (InputStream in = TrainerFleetTest.class.getClassLoader()
                .getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            String rows = String.join("\n", new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().limit(40)
                    .toList()) + "\n";
            DatasetUploading.uploaded(server, ADMIN, name, rows);
        }
        return name;
    }

    private Reply job(TestServer server, String adapter, int steps, int saveEvery) {
        return expect(201, server.post("/api/v1/training-jobs", ADMIN, server.json(Map.of("adapter", adapter,
                "baseModel", Api.BASE, "dataset", dataset, "objective", "SFT", "hyperparameters",
                Map.of("max_steps", steps, "per_device_train_batch_size", 8, "save_steps", saveEvery,
                        "val_size", 0, "learning_rate", 5e-3)))));
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

    private static List<?> awaitAudit(TestServer server, Object id, String action) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            List<?> trail = audit(server, "training-job:" + id);
            if (actions(trail).contains(action)) {
                return trail;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " never got " + action);
    }

    /** Kills the node once more steps are logged than its last checkpoint holds; returns how many. */
    private long killBetweenCheckpoints(ServiceProcess node, String adapter, int steps, int saveEvery)
            throws Exception {
        String runId = String.valueOf(run(service, adapter).get("id"));
        for (int i = 0; i < 6000; i++) {
            long logged = latestStep(runId);
            if (logged > saveEvery && logged % saveEvery != 0 && logged < steps) {
                node.kill();
                return logged;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("never saw a step between two checkpoints:\n" + node.output());
    }

    private long latestStep(String runId) {
        Map<?, ?> metrics = (Map<?, ?>) expect(200, service.get("/api/v1/runs/" + runId, ADMIN)).get("latestMetrics");
        Map<?, ?> latest = metrics == null ? null : (Map<?, ?>) metrics.get("train_loss");
        return latest == null ? 0 : ((Number) latest.get("step")).longValue();
    }

    private static Map<?, ?> run(TestServer server, String adapter) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            List<?> runs = (List<?>) expect(200, server.get("/api/v1/runs?experiment=" + adapter, ADMIN)).get("items");
            if (runs != null && !runs.isEmpty()) {
                return (Map<?, ?>) runs.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no run of " + adapter + " started");
    }

    private static Object runStatus(TestServer server, String runId) {
        return ((Map<?, ?>) expect(200, server.get("/api/v1/runs/" + runId, ADMIN)).get("run")).get("status");
    }

    private static List<Long> steps(TestServer server, String adapter) throws InterruptedException {
        List<?> points = (List<?>) expect(200, server.get("/api/v1/runs/" + run(server, adapter).get("id")
                + "/metrics/train_loss", ADMIN)).json();
        return points.stream().map(p -> ((Number) ((Map<?, ?>) p).get("step")).longValue()).toList();
    }

    private static List<?> audit(TestServer server, String subject) {
        return (List<?>) expect(200, server.get("/api/v1/audit?size=100&subject=" + subject, ADMIN)).get("items");
    }

    private static List<Object> actions(List<?> trail) {
        return trail.stream().map(e -> ((Map<?, ?>) e).get("action")).map(Object.class::cast).toList();
    }

    private static String reason(List<?> trail, int i) {
        return (String) ((Map<?, ?>) trail.get(i)).get("reason");
    }

    private static Instant at(List<?> trail, int i) {
        Object at = ((Map<?, ?>) trail.get(i)).get("at");
        if (at instanceof Number n) {
            double seconds = n.doubleValue() > 1e11 ? n.doubleValue() / 1000 : n.doubleValue();
            return Instant.ofEpochSecond((long) seconds, Math.round((seconds - Math.floor(seconds)) * 1e9));
        }
        return Instant.parse((String) at);
    }

    private static String node(String startedReason) {
        Matcher m = NODE.matcher(startedReason);
        assertTrue(m.find(), "a node started it: " + startedReason);
        return m.group(1);
    }
}

package io.adapterops.service.security;

import io.adapterops.service.evaluation.EvaluationServiceTest;
import io.adapterops.service.mlflow.RunTracker;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestAdapters;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation of the served OpenAPI document, called with no token and with each role: the
 * allowed roles get 2xx, the others 403, no token 401. An operation without a row here fails the
 * test, so a new endpoint cannot ship without deciding who may call it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMatrixTest {
    private static final Set<String> READ = Set.of("viewer", "operator", "approver", "admin");
    private static final Set<String> OPERATE = Set.of("operator", "admin");
    private static final Set<String> DECIDE = Set.of("approver", "admin");
    private static final Set<String> ADMIN = Set.of("admin");
    private static final Set<String> INFER = Set.of("inference", "operator", "admin");
    private static final Set<String> JUDGE = Set.of("operator", "approver", "admin");
    private static final String UPLOAD = "{\"instruction\":\"How do I reset my password?\",\"input\":\"\","
            + "\"output\":\"Use the self-service portal.\"}\n";

    private TestServer server;
    private Api api;
    private final Map<String, String> tokens = new LinkedHashMap<>();

    /** A concrete request for one operation, built fresh for each call so every allowed call can succeed. */
    private record Call(String path, String body, String contentType) {
        Call(String path, String body) {
            this(path, body, body == null ? null : "application/json");
        }
    }

    private static final String BOUNDARY = "----role-matrix";

    /** A whole dataset_info.json with one entry (a new dataset each time) and the file it names. */
    private static Call importForm() {
        String entry = Api.unique("imported");
        String form = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"dataset_info\"; filename=\"dataset_info"
                + ".json\"\r\nContent-Type: application/json\r\n\r\n{\"" + entry + "\":{\"file_name\":\"rows.jsonl\"}}\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"rows.jsonl\"\r\n"
                + "Content-Type: application/x-ndjson\r\n\r\n" + UPLOAD + "\r\n--" + BOUNDARY + "--\r\n";
        return new Call("/api/v1/datasets/import", form, "multipart/form-data; boundary=" + BOUNDARY);
    }

    private record Row(Set<String> allowed, Supplier<Call> fixture) {
    }

    private String artifact;
    private Api.Served served;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.evaluation.max-new-tokens", 4);
        server = TestServer.start(props);
        api = new Api(server);
        artifact = TestAdapters.write(server, Api.BASE, "matrix-adapter");
        Path suites = server.context().getBean(ModelStore.class).dataDir().resolve("suites");
        Files.createDirectories(suites);
        Files.writeString(suites.resolve("mini-red-team.jsonl"), EvaluationServiceTest.RED_TEAM);
        for (String role : Roles.ALL) {
            tokens.put(role, server.token("matrix-" + role, role));
        }
        served = api.servedRoute();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Map<String, Row> matrix() {
        Map<String, Row> m = new LinkedHashMap<>();
        String v = "/api/v1/adapters/{name}/versions/{version}";
        m.put("GET /api/v1/adapters", new Row(READ, () -> new Call("/api/v1/adapters", null)));
        m.put("POST /api/v1/adapters", new Row(OPERATE, () -> new Call("/api/v1/adapters",
                server.json(Map.of("name", Api.unique("a"), "baseModel", Api.BASE)))));
        m.put("GET /api/v1/adapters/{name}", new Row(READ, () -> new Call("/api/v1/adapters/" + api.adapter(), null)));
        m.put("POST /api/v1/adapters/{name}/versions", new Row(OPERATE, () -> new Call(
                "/api/v1/adapters/" + api.adapter() + "/versions", server.json(Map.of("artifactUri", "file:///x")))));
        m.put("GET /api/v1/adapters/{name}/versions", new Row(READ, () -> new Call(
                "/api/v1/adapters/" + api.adapter() + "/versions", null)));
        m.put("GET " + v, new Row(READ, () -> version(null, null, api::register)));
        m.put("GET " + v + "/evaluations", new Row(READ, () -> version("/evaluations", null, api::evaluated)));
        m.put("POST " + v + "/evaluate", new Row(OPERATE, () -> version("/evaluate", Map.of("passed", true),
                api::register)));
        m.put("POST " + v + "/shadow", new Row(OPERATE, () -> version("/shadow", Map.of("route", api.route()),
                api::evaluated)));
        m.put("POST " + v + "/unshadow", new Row(OPERATE, () -> version("/unshadow", Map.of(), this::shadow)));
        m.put("POST " + v + "/canary", new Row(OPERATE, () -> version("/canary", Map.of("trafficPercent", 10),
                this::shadow)));
        m.put("POST " + v + "/request-approval", new Row(OPERATE, () -> version("/request-approval",
                Map.of("route", api.route()), api::evaluated)));
        m.put("POST " + v + "/approve", new Row(DECIDE, () -> version("/approve", Map.of(),
                a -> api.pending(a, championedRoute(a)))));
        m.put("POST " + v + "/reject", new Row(DECIDE, () -> version("/reject", Map.of("reason", "no"),
                api::register)));
        m.put("POST " + v + "/rollback", new Row(DECIDE, () -> version("/rollback", Map.of("reason", "bad"), a -> {
            String route = championedRoute(a);
            int next = api.pending(a, route);
            expect(200, api.act(a, next, "approve", api.approver, Map.of()));
            return next;
        })));
        m.put("POST " + v + "/retire", new Row(DECIDE, () -> version("/retire", Map.of(), this::idleChampion)));
        m.put("POST " + v + "/evaluations", new Row(OPERATE, () -> version("/evaluations",
                Map.of("suites", List.of("mini-red-team")), this::withArtifact)));
        m.put("GET " + v + "/evaluation-runs", new Row(READ, () -> version("/evaluation-runs", null, api::register)));
        m.put("GET " + v + "/evaluation-runs/{id}", new Row(READ, () -> evaluationRun("")));
        m.put("GET " + v + "/evaluation-runs/{id}/report", new Row(READ, () -> evaluationRun("/report")));
        m.put("GET /api/v1/lifecycle", new Row(READ, () -> new Call("/api/v1/lifecycle", null)));

        m.put("GET /api/v1/routes", new Row(READ, () -> new Call("/api/v1/routes", null)));
        m.put("POST /api/v1/routes", new Row(OPERATE, () -> new Call("/api/v1/routes",
                server.json(Map.of("name", Api.unique("r"), "baseModel", Api.BASE)))));
        m.put("GET /api/v1/routes/{name}", new Row(READ, () -> new Call("/api/v1/routes/" + api.route(), null)));
        m.put("GET /api/v1/routes/{name}/health", new Row(READ, () -> new Call("/api/v1/routes/" + api.route()
                + "/health", null)));
        m.put("PUT /api/v1/routes/{name}/champion", new Row(OPERATE, () -> {
            String a = api.adapter();
            int champion = api.firstChampion(a, api.route());
            return new Call("/api/v1/routes/" + api.route() + "/champion",
                    server.json(Map.of("adapter", a, "version", champion)));
        }));
        m.put("PUT /api/v1/routes/{name}/challenger", new Row(OPERATE, () -> {
            String a = api.adapter();
            String route = championedRoute(a);
            int s = api.evaluated(a);
            expect(200, api.act(a, s, "shadow", api.requester, Map.of("route", route)));
            return new Call("/api/v1/routes/" + route + "/challenger",
                    server.json(Map.of("adapter", a, "version", s, "trafficPercent", 30)));
        }));
        m.put("POST /api/v1/routes/{name}/shadows", new Row(OPERATE, () -> {
            String a = api.adapter();
            int s = api.evaluated(a);
            return new Call("/api/v1/routes/" + api.route() + "/shadows", server.json(Map.of("adapter", a, "version", s)));
        }));
        m.put("DELETE /api/v1/routes/{name}/shadows/{adapter}/{version}", new Row(OPERATE, () -> {
            String a = api.adapter();
            String route = api.route();
            int s = api.evaluated(a);
            expect(200, api.act(a, s, "shadow", api.requester, Map.of("route", route)));
            return new Call("/api/v1/routes/" + route + "/shadows/" + a + "/" + s, null);
        }));

        m.put("PUT /api/v1/routes/{name}/limits", new Row(OPERATE, () -> new Call("/api/v1/routes/" + api.route()
                + "/limits", server.json(Map.of("maxPromptTokens", 100, "maxNewTokens", 10)))));

        String chat = server.json(Map.of("model", served.route(), "max_tokens", 1,
                "messages", List.of(Map.of("role", "user", "content", "hi"))));
        m.put("POST /v1/chat/completions", new Row(INFER, () -> new Call("/v1/chat/completions", chat)));
        m.put("POST /v1/completions", new Row(INFER, () -> new Call("/v1/completions",
                server.json(Map.of("model", served.route(), "max_tokens", 1, "prompt", "hi")))));
        m.put("GET /v1/models", new Row(INFER, () -> new Call("/v1/models", null)));
        m.put("POST /v1/feedback", new Row(INFER, () -> {
            Object id = expect(200, server.post("/v1/chat/completions", api.admin, chat)).get("id");
            return new Call("/v1/feedback", server.json(Map.of("request_id", id, "rating", "up")));
        }));
        m.put("GET /api/v1/request-log", new Row(JUDGE, () -> new Call("/api/v1/request-log?route=" + served.route(),
                null)));

        m.put("GET /api/v1/audit", new Row(READ, () -> new Call("/api/v1/audit?actor=admin&size=5", null)));

        m.put("GET /api/v1/datasets", new Row(READ, () -> new Call("/api/v1/datasets", null)));
        m.put("POST /api/v1/datasets", new Row(OPERATE, () -> new Call("/api/v1/datasets",
                server.json(Map.of("name", Api.unique("d"), "format", "ALPACA")))));
        m.put("GET /api/v1/datasets/{name}", new Row(READ, () -> new Call("/api/v1/datasets/" + dataset(), null)));
        m.put("GET /api/v1/datasets/{name}/versions", new Row(READ, () -> new Call(
                "/api/v1/datasets/" + dataset() + "/versions", null)));

        m.put("POST /api/v1/datasets/{name}/versions", new Row(OPERATE, () -> new Call(
                "/api/v1/datasets/" + dataset() + "/versions", UPLOAD)));
        m.put("POST /api/v1/datasets/import", new Row(OPERATE, RoleMatrixTest::importForm));
        m.put("GET /api/v1/datasets/{name}/versions/{id}/report", new Row(READ, () -> {
            String d = dataset();
            Reply r = DatasetUploading.uploaded(server, api.admin, d, UPLOAD);
            return new Call("/api/v1/datasets/" + d + "/versions/" + ((Map<?, ?>) r.get("version")).get("id")
                    + "/report", null);
        }));
        m.put("GET /api/v1/datasets/{name}/uploads", new Row(READ, () -> new Call(
                "/api/v1/datasets/" + dataset() + "/uploads", null)));
        m.put("GET /api/v1/datasets/{name}/uploads/{id}", new Row(READ, () -> {
            String d = dataset();
            return new Call((String) DatasetUploading.uploaded(server, api.admin, d, UPLOAD).get("location"), null);
        }));
        m.put("GET /api/v1/datasets/{name}/uploads/{id}/events", new Row(READ, () -> {
            String d = dataset();
            return new Call(DatasetUploading.uploaded(server, api.admin, d, UPLOAD).get("location") + "/events", null);
        }));

        m.put("GET /api/v1/training-jobs", new Row(READ, () -> new Call("/api/v1/training-jobs", null)));
        m.put("POST /api/v1/training-jobs", new Row(OPERATE, () -> new Call("/api/v1/training-jobs",
                jobBody(1))));
        m.put("GET /api/v1/training-jobs/{id}", new Row(READ, () -> new Call("/api/v1/training-jobs/" + job(), null)));
        m.put("POST /api/v1/training-jobs/{id}/cancel", new Row(OPERATE, () -> new Call(
                "/api/v1/training-jobs/" + job() + "/cancel", "{}")));
        m.put("GET /api/v1/training-jobs/{id}/events", new Row(READ, () -> {
            Object id = job();
            expect(200, server.post("/api/v1/training-jobs/" + id + "/cancel", api.admin, "{}"));
            return new Call("/api/v1/training-jobs/" + id + "/events", null);
        }));

        m.put("GET /api/v1/runs", new Row(READ, () -> new Call("/api/v1/runs", null)));
        m.put("GET /api/v1/runs/{id}", new Row(READ, () -> new Call("/api/v1/runs/"
                + server.context().getBean(RunTracker.class).startRun("matrix", null, "matrix", Map.of()), null)));
        m.put("GET /api/v1/runs/{id}/metrics/{key}", new Row(READ, () -> {
            RunTracker tracker = server.context().getBean(RunTracker.class);
            long run = tracker.startRun("matrix", null, "matrix", Map.of());
            tracker.logMetrics(run, 1, Map.of("loss", 0.5));
            return new Call("/api/v1/runs/" + run + "/metrics/loss", null);
        }));
        m.put("GET /api/v1/system/mlflow", new Row(READ, () -> new Call("/api/v1/system/mlflow", null)));

        m.put("GET /api/v1/admin/tokens", new Row(ADMIN, () -> new Call("/api/v1/admin/tokens", null)));
        m.put("POST /api/v1/admin/tokens", new Row(ADMIN, () -> new Call("/api/v1/admin/tokens",
                server.json(Map.of("name", Api.unique("t"), "roles", List.of("viewer"))))));
        m.put("DELETE /api/v1/admin/tokens/{id}", new Row(ADMIN, () -> {
            Reply r = expect(201, server.post("/api/v1/admin/tokens", api.admin,
                    server.json(Map.of("name", Api.unique("t"), "roles", List.of("viewer")))));
            Object id = ((Map<?, ?>) r.get("token")).get("id");
            return new Call("/api/v1/admin/tokens/" + id, null);
        }));
        return m;
    }

    private interface VersionMaker {
        int make(String adapter);
    }

    private Call version(String suffix, Map<String, Object> body, VersionMaker maker) {
        String a = api.adapter();
        int n = maker.make(a);
        return new Call(Api.path(a, n) + (suffix == null ? "" : suffix), body == null ? null : server.json(body));
    }

    private int withArtifact(String adapter) {
        return ((Number) expect(201, server.post("/api/v1/adapters/" + adapter + "/versions", api.admin,
                server.json(Map.of("artifactUri", artifact)))).get("version")).intValue();
    }

    /** A finished evaluation run of a fresh version; {@code suffix} picks the run or its report. */
    private Call evaluationRun(String suffix) {
        String a = api.adapter();
        int n = withArtifact(a);
        Reply started = expect(202, server.post(Api.path(a, n) + "/evaluations", api.admin,
                server.json(Map.of("suites", List.of("mini-red-team")))));
        try {
            EvaluationServiceTest.awaitRun(server, a, n, started.get("id"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Call(Api.path(a, n) + "/evaluation-runs/" + started.get("id") + suffix, null);
    }

    private String championedRoute(String adapter) {
        String route = api.route();
        api.firstChampion(adapter, route);
        return route;
    }

    private int shadow(String adapter) {
        String route = championedRoute(adapter);
        int s = api.evaluated(adapter);
        expect(200, api.act(adapter, s, "shadow", api.requester, Map.of("route", route)));
        return s;
    }

    private int idleChampion(String adapter) {
        String route = api.route();
        int idle = api.firstChampion(adapter, route);
        int other = api.firstChampion(adapter, api.route());
        expect(200, server.call("PUT", "/api/v1/routes/" + route + "/champion", api.admin,
                server.json(Map.of("adapter", adapter, "version", other))));
        return idle;
    }

    private String dataset() {
        String name = Api.unique("d");
        expect(201, server.post("/api/v1/datasets", api.admin, server.json(Map.of("name", name, "format", "ALPACA"))));
        return name;
    }

    /** A job on a dataset with one uploaded version; long enough that a cancel finds it unfinished. */
    private String jobBody(int steps) {
        String d = dataset();
        DatasetUploading.uploaded(server, api.admin, d, UPLOAD);
        return server.json(Map.of("adapter", Api.unique("a"), "baseModel", Api.BASE, "dataset", d,
                "objective", "SFT", "hyperparameters", Map.of("max_steps", steps, "eval_steps", 0, "save_steps", 0)));
    }

    private final List<Object> longJobs = new ArrayList<>();

    private Object job() {
        Object id = expect(201, server.post("/api/v1/training-jobs", api.admin, jobBody(100_000))).get("id");
        longJobs.add(id);
        return id;
    }

    /** Cancels the long jobs a refused call left running, so they do not hold the trainer. */
    private void stopLongJobs() {
        for (Object id : longJobs) {
            server.post("/api/v1/training-jobs/" + id + "/cancel", api.admin, "{}");
        }
        longJobs.clear();
    }

    @SuppressWarnings("unchecked")
    private Set<String> documentedOperations() {
        Reply doc = server.get("/swagger/adapterops-v1.yml", null);
        assertEquals(200, doc.status(), "the OpenAPI document is served without a token");
        Map<String, Object> yaml = new Yaml().load(doc.body());
        Set<String> ops = new TreeSet<>();
        ((Map<String, Map<String, Object>>) yaml.get("paths")).forEach((path, methods) -> methods.keySet().stream()
                .filter(m -> List.of("get", "post", "put", "delete", "patch").contains(m))
                .forEach(m -> ops.add(m.toUpperCase() + " " + path)));
        return ops;
    }

    @Test
    void everyDocumentedOperationHasARowAndEveryRowIsDocumented() {
        Set<String> documented = documentedOperations();
        Set<String> rows = new TreeSet<>(matrix().keySet());
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(rows);
        Set<String> stale = new TreeSet<>(rows);
        stale.removeAll(documented);
        assertTrue(missing.isEmpty(), "operations without a role-matrix row: " + missing);
        assertTrue(stale.isEmpty(), "role-matrix rows for operations the document lacks: " + stale);
        assertTrue(documented.size() >= 30, "the document lists " + documented.size() + " operations");
    }

    @Test
    void eachRoleGetsExactlyWhatItsRowAllows() {
        List<String> failures = new ArrayList<>();
        int calls = 0;
        for (Map.Entry<String, Row> e : matrix().entrySet()) {
            String method = e.getKey().substring(0, e.getKey().indexOf(' '));
            Row row = e.getValue();
            Call anonymous = row.fixture().get();
            int status = server.call(method, anonymous.path(), null, anonymous.body(), anonymous.contentType()).status();
            calls++;
            if (status != 401) {
                failures.add(e.getKey() + " without a token: " + status);
            }
            for (String role : Roles.ALL) {
                Call call = row.fixture().get();
                Reply r = server.call(method, call.path(), tokens.get(role), call.body(), call.contentType());
                calls++;
                stopLongJobs();
                boolean allowed = row.allowed().contains(role);
                if (allowed && (r.status() < 200 || r.status() > 299)) {
                    failures.add(e.getKey() + " as " + role + ": expected 2xx, got " + r);
                } else if (!allowed && r.status() != 403) {
                    failures.add(e.getKey() + " as " + role + ": expected 403, got " + r.status());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(calls >= 150, "calls made: " + calls);
    }

    @Test
    void aForbiddenCallNamesTheRoleItNeedsAndTheRolesTheTokenHas() {
        String viewer = server.token(Api.unique("viewer"), "viewer");
        Reply r = server.post("/api/v1/adapters", viewer,
                server.json(Map.of("name", Api.unique("adapter"), "baseModel", Api.BASE)));
        assertEquals(403, r.status(), r::toString);
        assertEquals("POST /api/v1/adapters needs the role operator or admin; this token has [viewer]",
                r.get("detail"), r::toString);
    }

    @Test
    void anonymousHealthShowsTheStatusOnlyAndDetailsNeedAToken() {
        Reply anonymous = server.get("/health", null);
        assertEquals(200, anonymous.status());
        assertEquals(Set.of("status"), anonymous.map().keySet(), anonymous::toString);
        assertFalse(anonymous.body().contains("jdbc"), anonymous::toString);
        Reply viewer = server.get("/health", server.token(Api.unique("viewer"), "viewer"));
        assertTrue(viewer.body().contains("jdbc"), "a token sees the details: " + viewer);
    }

    @Test
    void healthAndTheOpenApiDocumentNeedNoToken() {
        assertEquals(200, server.get("/health", null).status());
        assertEquals(200, server.get("/swagger/adapterops-v1.yml", null).status());
        assertEquals(401, server.get("/api/v1/adapters", "aop_not-a-real-token").status());
    }
}

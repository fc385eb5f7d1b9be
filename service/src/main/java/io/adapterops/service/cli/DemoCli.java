package io.adapterops.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./adapterops demo}: the whole lifecycle on the embedded default, in a few minutes on a CPU,
 * through the real HTTP API of a service it starts in this process (data in {@code ./demo-data}):
 * dataset, training, evaluation, first champion, a candidate through shadow and canary to approval by
 * a second person, simulated traffic whose satisfaction then falls, the monitor firing a retraining,
 * and a rollback. Windows are short (30 s) so the monitor can decide within the demo.
 */
public final class DemoCli {
    static final String ROUTE = "support-bot";
    static final String ADAPTER = "helpdesk-lora";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WINDOW = Duration.ofSeconds(30);

    private final PrintStream out;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String admin;
    private String operator;
    private String approver;
    private String app;
    private int step;
    private final List<String> questions = new java.util.ArrayList<>();
    private int asked;

    private DemoCli(String base, String admin, PrintStream out) {
        this.base = base;
        this.admin = admin;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        run(Path.of(args.length > 0 ? args[0] : "demo-data"), System.out);
        System.exit(0);
    }

    /** Runs the demo against a fresh data dir; returns the final state it printed last. */
    public static Map<String, Object> run(Path dataDir, PrintStream out) throws Exception {
        wipe(dataDir);
        String admin = "aop_demo_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Map<String, Object> props = new HashMap<>();
        props.put("adapterops.data-dir", dataDir.toAbsolutePath().toString());
        props.put("micronaut.server.port", -1);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("adapterops.admin-token", admin);
        props.put("adapterops.scheduler.jobs.monitor.cron", "0/5 * * * * ?");
        props.put("adapterops.monitoring.window", WINDOW.getSeconds() + "s");
        props.put("adapterops.monitoring.min-samples", 100);
        // The demo trains and serves on the same two cores, so its P95 latency swings by more than 5% on its
        // own; the story it tells is satisfaction's fall.
        props.put("adapterops.monitoring.signal-tolerance.p95_latency_ms", 1.0);
        // The candidate stays REGISTERED for the demo's last steps; in a service the rollout job would now
        // take it through gate, shadow and canary (README, "Monitoring and retraining").
        props.put("adapterops.scheduler.jobs.rollout.enabled", false);
        props.put("adapterops.evaluation.max-new-tokens", 8);
        // A tiny random model refuses nothing; the demo's gate checks what it can, the default gate is stricter.
        props.put("adapterops.evaluation.gate.min-red-team-refusal", 0.0);
        props.put("adapterops.evaluation.gate.max-over-refusal", 1.0);
        // Replies are capped at a few tokens here, so their length is not compared with the training replies';
        // the demo's users repeat the training set's questions, whose token counts a chi-squared test over
        // a few hundred prompts would call drifted (it treats tokens as independent).
        props.put("adapterops.monitoring.drift-features", List.of("prompt_tokens", "cjk_share"));
        props.put("logger.levels.root", "WARN");
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props)) {
            DemoCli demo = new DemoCli("http://127.0.0.1:" + server.getPort(), admin, out);
            out.println("AdapterOps demo: service on " + demo.base + ", data in " + dataDir.toAbsolutePath());
            return demo.lifecycle();
        }
    }

    private Map<String, Object> lifecycle() throws Exception {
        header("People and applications");
        operator = secret(post("/api/v1/admin/tokens", admin, Map.of("name", "olivia", "roles", List.of("operator"))));
        approver = secret(post("/api/v1/admin/tokens", admin, Map.of("name", "adam", "roles", List.of("approver"))));
        app = secret(post("/api/v1/admin/tokens", admin, Map.of("name", "helpdesk-app", "roles", List.of("inference"))));
        table("olivia (operator), adam (approver), helpdesk-app (inference) have tokens", "/api/v1/admin/tokens");

        header("Dataset: the shipped IT-helpdesk set, cleaned and versioned");
        post("/api/v1/datasets", operator, Map.of("name", "helpdesk", "format", "ALPACA"));
        String rows = shippedRows();
        for (String line : rows.lines().toList()) {
            questions.add(JSON.readTree(line).path("instruction").asText());
        }
        java.util.Collections.shuffle(questions, new java.util.Random(7));
        JsonNode upload = send("POST", "/api/v1/datasets/helpdesk/versions", operator, rows, 202);
        while (List.of("RECEIVING", "QUEUED", "RUNNING").contains(upload.path("status").asText())) {
            Thread.sleep(200);
            upload = send("GET", upload.path("location").asText(), operator, null, 200);
        }
        if (!upload.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("the dataset upload ended " + upload);
        }
        JsonNode cleaning = upload.path("cleaning");
        table("version " + upload.path("version").path("contentHash").asText().substring(0, 19) + "…: "
                        + cleaning.path("rowsIn").asText("?") + " rows in, " + cleaning.path("rowsOut").asText("?")
                        + " kept", "/api/v1/datasets/helpdesk/versions");

        post("/api/v1/routes", operator, Map.of("name", ROUTE, "baseModel", "tiny-llama"));
        post("/api/v1/adapters", operator, Map.of("name", ADAPTER, "baseModel", "tiny-llama"));
        header("Train version 1 (SFT, LoRA) on the tiny base model");
        int v1 = train(12);
        header("Evaluate version 1, and make it the route's first champion");
        evaluate(v1);
        post(version(v1) + "/request-approval", operator, Map.of("route", ROUTE));
        post(version(v1) + "/approve", approver, Map.of("reason", "first version"));
        table(ADAPTER + " v" + v1 + " is the champion of " + ROUTE, "/api/v1/routes/" + ROUTE);

        header("Train version 2, evaluate it, shadow it, canary it, approve it (a second person)");
        int v2 = train(24);
        evaluate(v2);
        post(version(v2) + "/shadow", operator, Map.of("route", ROUTE));
        traffic(10, 1.0);
        table("v" + v2 + " answered every request in shadow, never returned", "/api/v1/requests?route=" + ROUTE);
        post(version(v2) + "/canary", operator, Map.of("trafficPercent", 30));
        traffic(20, 1.0);
        table("v" + v2 + " answers 30% of users (sticky per user)", "/prometheus (adapterops_inference_requests_total)");
        post(version(v2) + "/request-approval", operator, Map.of());
        JsonNode refused = send("POST", version(v2) + "/approve", operator, Map.of(), 403);
        table("olivia may not approve: " + refused.path("detail").asText(), "/api/v1/audit");
        post(version(v2) + "/approve", approver, Map.of("reason", "canary looked good"));
        table("adam approved: v" + v2 + " is champion, v" + v1 + " is the rollback target", "/api/v1/routes/" + ROUTE);

        header("Traffic: satisfaction 90% right after promotion, then it falls to 50%");
        Instant promoted = Instant.now();
        trafficFor(WINDOW.plusSeconds(5), 0.9);
        trafficUntilRetraining(promoted, 0.5);
        JsonNode fired = lastAudit("route:" + ROUTE, "route.retraining-fired");
        table(fired.path("reason").asText(), "/api/v1/routes/" + ROUTE + "/health");

        header("The retraining job trains the new candidate");
        JsonNode job = retrainingJob();
        int v3 = awaitJob(job.path("id").asLong());
        table("training job " + job.path("id").asLong() + " (by the monitor) registered " + ADAPTER + " v" + v3
                + ": in a service the rollout job takes it through gate, shadow and canary to approval (off in this demo)",
                version(v3));

        header("Roll back version " + v2 + " in one call");
        post(version(v2) + "/rollback", approver, Map.of("reason", "satisfaction fell from 90% to 50%"));
        JsonNode route = send("GET", "/api/v1/routes/" + ROUTE, admin, null, 200);
        int champion = route.path("champion").path("version").asInt();
        table("champion of " + ROUTE + " is v" + champion + " again; v" + v2 + " is "
                + state(v2), "/api/v1/audit?subject=adapter:" + ADAPTER + ":v" + v2);

        Map<String, Object> end = Map.of("champion", champion, "rolledBack", state(v2), "candidate", v3,
                "candidateState", state(v3), "retrainingJob", job.path("id").asLong());
        out.println();
        out.println("Done. Final state: " + end);
        return end;
    }

    private int train(int steps) throws Exception {
        JsonNode job = post("/api/v1/training-jobs", operator, Map.of("adapter", ADAPTER, "baseModel", "tiny-llama",
                "dataset", "helpdesk", "objective", "SFT", "hyperparameters", Map.of("max_steps", steps,
                        "per_device_train_batch_size", 4, "learning_rate", 5e-3, "val_size", 0)));
        return awaitJob(job.path("id").asLong());
    }

    /** Follows a training job with a progress bar; returns the version it registered. */
    private int awaitJob(long id) throws Exception {
        while (true) {
            JsonNode job = send("GET", "/api/v1/training-jobs/" + id, admin, null, 200);
            JsonNode p = job.path("progress");
            if (p.has("step")) {
                int width = 24;
                int filled = (int) (width * p.path("step").asDouble() / Math.max(1, p.path("totalSteps").asDouble()));
                out.printf(Locale.ROOT, "\r  [%s%s] step %d/%d loss %.4f", "#".repeat(filled), "-".repeat(width - filled),
                        p.path("step").asLong(), p.path("totalSteps").asLong(), p.path("trainLoss").asDouble());
            }
            String status = job.path("status").asText();
            if (status.equals("SUCCEEDED")) {
                out.println();
                int v = job.path("adapterVersion").asInt();
                table("training job " + id + " SUCCEEDED: " + ADAPTER + " v" + v + " REGISTERED",
                        "/api/v1/training-jobs/" + id + ", /api/v1/runs?experiment=" + ADAPTER);
                return v;
            }
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                throw new IllegalStateException("training job " + id + " ended " + status + ": " + job.path("error"));
            }
            Thread.sleep(300);
        }
    }

    private void evaluate(int v) throws Exception {
        JsonNode run = post(version(v) + "/evaluations", operator, Map.of("suites", List.of("red-team")));
        while (true) {
            JsonNode r = send("GET", version(v) + "/evaluation-runs/" + run.path("id").asLong(), admin, null, 200);
            if (!r.path("status").asText().equals("RUNNING")) {
                if (!r.path("status").asText().equals("SUCCEEDED")) {
                    throw new IllegalStateException("evaluation of v" + v + " ended " + r);
                }
                table("evaluated: " + r.path("summary") + ", gate " + (r.path("gatePassed").asBoolean() ? "passed"
                        : "failed") + " → " + state(v), version(v) + "/evaluation-runs/" + run.path("id").asLong()
                        + "/report");
                return;
            }
            Thread.sleep(300);
        }
    }

    /** {@code n} users ask one question each and rate the answer, {@code up} of them thumbs-up. */
    private void traffic(int n, double up) throws Exception {
        for (int i = 0; i < n; i++) {
            ask("user-" + (i % 50), i < Math.round(n * up));
        }
    }

    private void trafficFor(Duration span, double up) throws Exception {
        Instant end = Instant.now().plus(span);
        long sent = 0;
        long upSent = 0;
        while (Instant.now().isBefore(end)) {
            boolean good = upSent < Math.round((sent + 1) * up);
            ask("user-" + (sent % 50), good);
            sent++;
            upSent += good ? 1 : 0;
        }
        out.printf(Locale.ROOT, "  %d requests, %d rated up (%.0f%%)%n", sent, upSent, 100.0 * upSent / sent);
    }

    private void trafficUntilRetraining(Instant promoted, double up) throws Exception {
        Instant deadline = Instant.now().plus(WINDOW.multipliedBy(4));
        while (Instant.now().isBefore(deadline)) {
            trafficFor(Duration.ofSeconds(5), up);
            if (lastAuditOrNull("route:" + ROUTE, "route.retraining-fired") != null) {
                return;
            }
        }
        throw new IllegalStateException("the monitor fired no retraining within " + WINDOW.multipliedBy(4)
                + " of degraded traffic (promoted at " + promoted + ")");
    }

    /** One user's question (an instruction of the shipped set, so prompts look like the training data), rated. */
    private void ask(String user, boolean good) throws Exception {
        String question = questions.get(Math.floorMod(asked++, questions.size()));
        HttpResponse<String> r = exchange("POST", "/v1/chat/completions", app, Map.of("model", ROUTE, "user", user,
                "max_tokens", 8, "messages", List.of(Map.of("role", "user", "content", question))));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("chat completion answered " + r.statusCode() + ": " + r.body());
        }
        String id = JSON.readTree(r.body()).path("id").asText();
        post("/v1/feedback", app, Map.of("request_id", id, "rating", good ? "up" : "down"));
    }

    private JsonNode retrainingJob() throws Exception {
        for (JsonNode j : send("GET", "/api/v1/training-jobs?size=50", admin, null, 200).path("items")) {
            if (j.path("createdBy").asText().equals("monitor")) {
                return j;
            }
        }
        throw new IllegalStateException("the monitor's retraining job is not listed");
    }

    private JsonNode lastAudit(String subject, String action) throws Exception {
        JsonNode e = lastAuditOrNull(subject, action);
        if (e == null) {
            throw new IllegalStateException("no " + action + " in the audit of " + subject);
        }
        return e;
    }

    private JsonNode lastAuditOrNull(String subject, String action) throws Exception {
        JsonNode found = null;
        for (JsonNode e : send("GET", "/api/v1/audit?size=200&subject=" + subject, admin, null, 200).path("items")) {
            if (e.path("action").asText().equals(action)) {
                found = e;
            }
        }
        return found;
    }

    private String state(int v) throws Exception {
        return send("GET", version(v), admin, null, 200).path("state").asText();
    }

    private static String version(int v) {
        return "/api/v1/adapters/" + ADAPTER + "/versions/" + v;
    }

    private void header(String title) {
        out.println();
        out.println("== " + (++step) + ". " + title);
    }

    private void table(String what, String where) {
        out.println("  changed: " + what);
        out.println("  look at: " + base + where.replace(", /", ", " + base + "/"));
    }

    private static String secret(JsonNode token) {
        return token.path("secret").asText();
    }

    private JsonNode post(String path, String token, Object body) throws Exception {
        HttpResponse<String> r = exchange("POST", path, token, body);
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private JsonNode send(String method, String path, String token, Object body, int expected) throws Exception {
        HttpResponse<String> r = exchange(method, path, token, body);
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private HttpResponse<String> exchange(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(
                    body instanceof String s ? s : JSON.writeValueAsString(body)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String shippedRows() throws IOException {
        try (InputStream in = DemoCli.class.getClassLoader().getResourceAsStream("datasets/it-helpdesk-sft.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The demo's own folder starts empty: it is the demo's state, never a user's. */
    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

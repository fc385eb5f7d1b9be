package io.adapterops.trainer.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.adapterops.trainer.Objective;
import io.adapterops.trainer.Progress;
import io.adapterops.trainer.TrainingConfig;
import io.adapterops.trainer.data.DatasetKind;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The standalone trainer worker ("the GPU trainer"): a small HTTP API over a {@link JobQueue},
 * on the JDK's own HTTP server. Every request needs {@code Authorization: Bearer <token>} when
 * {@code ADAPTEROPS_WORKER_TOKEN} is set. Errors are {@code application/problem+json}.
 *
 * <pre>
 *   POST /jobs                {"base_model": "/models/x",                      → 202 {"id", "status": "QUEUED"}
 *                              "config": {"stage": "sft", "lora_rank": 8, …},     (TrainingConfig keys)
 *                              "dataset": "&lt;JSONL text&gt;" | "dataset_path": "/data/x.jsonl",
 *                              "dataset_hash": "sha256:…"}                      (optional, recorded)
 *   GET  /jobs                 every job's status
 *   GET  /jobs/{id}            {"id", "status", "error"?, "progress"?: last Progress}
 *   GET  /jobs/{id}/events     text/event-stream: "event: progress" per step, then "event: status" at the end
 *   POST /jobs/{id}/cancel     202; 409 when already finished
 *   GET  /jobs/{id}/adapter    application/zip of the PEFT folder with training_summary.json; 409 until SUCCEEDED
 *   GET  /health               {"status": "UP"}
 * </pre>
 *
 * Run: {@code java -cp … io.adapterops.trainer.worker.TrainerWorker [port] [dataDir]}; the port
 * also comes from {@code ADAPTEROPS_WORKER_PORT} (default 8091), the bind address from
 * {@code ADAPTEROPS_WORKER_HOST} (default 127.0.0.1), the data folder from
 * {@code ADAPTEROPS_WORKER_DATA} (default {@code ./worker-data}). CUDA is used when the engine
 * sees a GPU, the CPU otherwise.
 */
public final class TrainerWorker implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BODY = 512L << 20;

    private final HttpServer server;
    private final ExecutorService pool;
    private final JobQueue queue;
    private final byte[] token;

    private TrainerWorker(HttpServer server, ExecutorService pool, JobQueue queue, String token) {
        this.server = server;
        this.pool = pool;
        this.queue = queue;
        this.token = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** Starts a worker; {@code port} 0 picks a free one; {@code token} null or empty disables auth. */
    public static TrainerWorker start(String host, int port, Path dataDir, String token) throws IOException {
        JobQueue queue = new JobQueue(dataDir);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "worker-http");
            t.setDaemon(true);
            return t;
        });
        TrainerWorker w = new TrainerWorker(server, pool, queue, token);
        server.createContext("/", w::handle);
        server.setExecutor(pool);
        server.start();
        return w;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public static void main(String[] args) throws Exception {
        String envPort = System.getenv("ADAPTEROPS_WORKER_PORT");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : envPort != null ? Integer.parseInt(envPort) : 8091;
        String envData = System.getenv("ADAPTEROPS_WORKER_DATA");
        Path data = Path.of(args.length > 1 ? args[1] : envData != null ? envData : "worker-data");
        String host = System.getenv().getOrDefault("ADAPTEROPS_WORKER_HOST", "127.0.0.1");
        String token = System.getenv("ADAPTEROPS_WORKER_TOKEN");
        TrainerWorker w = start(host, port, data, token);
        if (token == null || token.isEmpty()) {
            System.err.println("warning: ADAPTEROPS_WORKER_TOKEN is not set; the API is open to anyone who can reach "
                    + host + ":" + w.port());
        }
        System.out.println("trainer worker on http://" + host + ":" + w.port() + ", data in " + data.toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                w.close();
            } catch (Exception e) {
                System.err.println("shutdown: " + e);
            }
        }));
    }

    /** Stops serving; a running job stops at its next step and resumes when a worker starts on the same data. */
    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        queue.close();
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (token != null && !authorized(ex)) {
                problem(ex, 401, "Unauthorized", "send Authorization: Bearer <ADAPTEROPS_WORKER_TOKEN>");
                return;
            }
            String method = ex.getRequestMethod();
            String[] parts = ex.getRequestURI().getPath().replaceAll("/+$", "").split("/");
            if (parts.length == 2 && parts[1].equals("health") && method.equals("GET")) {
                json(ex, 200, JSON.createObjectNode().put("status", "UP"));
            } else if (parts.length == 2 && parts[1].equals("jobs") && method.equals("POST")) {
                submit(ex);
            } else if (parts.length == 2 && parts[1].equals("jobs") && method.equals("GET")) {
                ArrayNode list = JSON.createArrayNode();
                queue.all().forEach(j -> list.add(j.view()));
                json(ex, 200, list);
            } else if (parts.length >= 3 && parts[1].equals("jobs")) {
                Job j = queue.get(parts[2]);
                if (j == null) {
                    problem(ex, 404, "Not Found", "no job " + parts[2]);
                } else {
                    jobRoute(ex, j, method, parts.length == 3 ? "" : parts[3]);
                }
            } else {
                problem(ex, 404, "Not Found", "no route " + method + " " + ex.getRequestURI().getPath());
            }
        } catch (RuntimeException e) {
            problem(ex, 500, "Internal Server Error", String.valueOf(e.getMessage()));
        }
    }

    private void jobRoute(HttpExchange ex, Job j, String method, String action) throws IOException {
        switch (method + " " + action) {
            case "GET " -> json(ex, 200, j.view());
            case "GET events" -> events(ex, j);
            case "POST cancel" -> {
                if (j.status().terminal()) {
                    problem(ex, 409, "Conflict", "job " + j.id() + " already ended " + j.status());
                } else {
                    queue.cancel(j);
                    json(ex, 202, j.view());
                }
            }
            case "GET adapter" -> adapter(ex, j);
            default -> problem(ex, 404, "Not Found", "no route " + method + " /jobs/" + j.id() + "/" + action);
        }
    }

    private void submit(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes((int) MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            problem(ex, 413, "Payload Too Large", "a job spec may not exceed " + (MAX_BODY >> 20)
                    + " MiB; pass dataset_path for larger datasets");
            return;
        }
        JsonNode spec;
        try {
            spec = JSON.readTree(body);
        } catch (IOException e) {
            problem(ex, 400, "Bad Request", "the body is not JSON: " + e.getMessage());
            return;
        }
        String invalid = validate(spec);
        if (invalid != null) {
            problem(ex, 400, "Bad Request", invalid);
            return;
        }
        byte[] dataset = spec.hasNonNull("dataset") ? spec.get("dataset").asText().getBytes(StandardCharsets.UTF_8)
                : Files.readAllBytes(Path.of(spec.get("dataset_path").asText()));
        LoadedDataset loaded = new DatasetReader(ReadOptions.defaults()).load(new ByteArrayInputStream(dataset));
        if (!loaded.report().accepted()) {
            problem(ex, 400, "Bad Request", "the dataset is invalid: "
                    + loaded.report().problems().stream().limit(5).map(Object::toString).toList());
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> config = JSON.convertValue(spec.path("config"), Map.class);
        TrainingConfig cfg = TrainingConfig.fromMap(config == null ? Map.of() : config);
        DatasetKind needed = cfg.objective() == Objective.SFT ? DatasetKind.SFT : DatasetKind.PREFERENCE;
        if (loaded.report().kind() != needed) {
            problem(ex, 400, "Bad Request", "stage " + cfg.objective().name().toLowerCase(Locale.ROOT) + " needs "
                    + needed.name().toLowerCase(Locale.ROOT) + " rows, but the dataset holds "
                    + loaded.report().kind().name().toLowerCase(Locale.ROOT) + " rows");
            return;
        }
        ObjectNode stored = JSON.createObjectNode();
        stored.put("base_model", spec.get("base_model").asText());
        stored.set("config", spec.path("config").isObject() ? spec.get("config") : JSON.createObjectNode());
        if (spec.path("dataset_hash").isTextual()) {
            stored.put("dataset_hash", spec.get("dataset_hash").asText());
        }
        Job j = queue.submit(stored, dataset);
        ex.getResponseHeaders().add("Location", "/jobs/" + j.id());
        json(ex, 202, j.view());
    }

    /** The problem with a job spec, or null when it can be queued. */
    private static String validate(JsonNode spec) {
        if (!spec.isObject()) {
            return "the job spec must be a JSON object";
        }
        var names = spec.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!List.of("base_model", "config", "dataset", "dataset_path", "dataset_hash").contains(n)) {
                return "unknown field '" + n + "' (known: base_model, config, dataset, dataset_path, dataset_hash)";
            }
        }
        if (!spec.path("base_model").isTextual() || !Files.isRegularFile(Path.of(spec.get("base_model").asText())
                .resolve("config.json"))) {
            return "base_model must name a model folder on the worker (with config.json), got " + spec.get("base_model");
        }
        boolean inline = spec.path("dataset").isTextual();
        boolean path = spec.path("dataset_path").isTextual();
        if (inline == path) {
            return "give exactly one of dataset (JSONL text) and dataset_path (a file on the worker)";
        }
        if (path && !Files.isRegularFile(Path.of(spec.get("dataset_path").asText()))) {
            return "dataset_path " + spec.get("dataset_path").asText() + " is not a file on the worker";
        }
        if (spec.has("config") && !spec.get("config").isObject()) {
            return "config must be an object of training keys";
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> config = JSON.convertValue(spec.path("config"), Map.class);
            TrainingConfig.fromMap(config == null ? Map.of() : config);
        } catch (IllegalArgumentException e) {
            return "config: " + e.getMessage();
        }
        return null;
    }

    private static void events(HttpExchange ex, Job j) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        int sent = 0;
        try {
            while (true) {
                boolean ended = j.status().terminal();
                List<Progress> batch = j.eventsFrom(sent, 15_000);
                for (Progress p : batch) {
                    write(out, "id: " + p.step() + "\nevent: progress\ndata: " + ProgressJson.of(p) + "\n\n");
                }
                sent += batch.size();
                if (ended && batch.isEmpty()) {
                    write(out, "event: status\ndata: " + j.view() + "\n\n");
                    return;
                }
                if (batch.isEmpty()) {
                    write(out, ": keep-alive\n\n");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void adapter(HttpExchange ex, Job j) throws IOException {
        Path dir = j.dir().resolve("adapter");
        if (j.status() != JobStatus.SUCCEEDED || !Files.isDirectory(dir)) {
            problem(ex, 409, "Conflict", "job " + j.id() + " is " + j.status() + "; the adapter exists once it SUCCEEDED");
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "application/zip");
        ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + j.id() + "-adapter.zip\"");
        ex.sendResponseHeaders(200, 0);
        try (ZipOutputStream zip = new ZipOutputStream(ex.getResponseBody());
             Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                zip.putNextEntry(new ZipEntry(f.getFileName().toString()));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        return h != null && MessageDigest.isEqual(token, h.getBytes(StandardCharsets.UTF_8));
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void problem(HttpExchange ex, int status, String title, String detail) throws IOException {
        ObjectNode n = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail);
        send(ex, status, "application/problem+json", JSON.writeValueAsBytes(n));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }
}

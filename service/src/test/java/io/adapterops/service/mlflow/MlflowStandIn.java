package io.adapterops.service.mlflow;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for an MLflow 2.17 tracking server with the model registry and the artifact proxy
 * ({@code mlflow server --serve-artifacts}), for the endpoints AdapterOps uses. It follows the REST
 * API reference (mlflow.org/docs/latest/rest-api.html) and the server's handlers
 * (mlflow/server/handlers.py, mlflow/store/tracking/sqlalchemy_store.py, mlflow/utils/validation.py):
 * paths, JSON field names (int64 fields may come as JSON strings, as protobuf prints them), errors as
 * {@code {"error_code", "message"}} with RESOURCE_ALREADY_EXISTS → 400, RESOURCE_DOES_NOT_EXIST → 404,
 * INVALID_PARAMETER_VALUE → 400; log-batch limits (1000 metrics, 100 params + tags, 1000 in all;
 * params ≤ 6000 characters, never changed once logged); a metric point identical in key, value, step
 * and timestamp to a logged one is dropped, as the SQL store does; model version sources that are
 * local paths outside a run's artifacts, or file: URIs, are refused; {@code latest} and {@code v<N>}
 * are reserved alias names; DELETE registered-models/alias reads a JSON body.
 *
 * <p>The artifact proxy lists a folder with {@code GET artifacts?path=} as base names, directories
 * without a size ({@code _list_artifacts_mlflow_artifacts}). Multipart uploads follow
 * mlflow/protos/mlflow_artifacts.proto and handlers.py ({@code _create_multipart_upload_artifact},
 * {@code _complete_multipart_upload_artifact}, {@code _abort_multipart_upload_artifact}): POST
 * {@code mpu/create|complete|abort/<folder>} with {@code path} (the file, of which the store keeps the base
 * name), {@code num_parts}, {@code upload_id} and {@code parts [{part_number, etag}]}; create answers
 * {@code upload_id} and {@code credentials [{part_number, url}]}, presigned URLs served here under
 * {@code /presigned/} without MLflow authentication, answering an ETag as S3 does. With
 * {@link #withoutMultipart()} it answers as a local file store does: NOT_IMPLEMENTED (HTTP 501) with the
 * message of {@code _UnsupportedMultipartUploadException} (mlflow/exceptions.py).
 *
 * <p>It records its state for assertions, and injects failures: HTTP errors, a slow answer, a
 * request applied but answered 500 (a lost response), wrong credentials (401) or no permission
 * (403), and "down" (nothing listening, so connections are refused).
 */
final class MlflowStandIn implements AutoCloseable {
    private static final String API = "/api/2.0/mlflow/";
    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";
    private static final String ARTIFACT_LIST = "/api/2.0/mlflow-artifacts/artifacts";
    private static final String MULTIPART = "/api/2.0/mlflow-artifacts/mpu/";
    private static final String PRESIGNED = "/presigned/";
    private static final Pattern TAG_FILTER = Pattern.compile("tags\\.`?([^`=\\s]+)`?\\s*=\\s*'([^']*)'");
    private static final Pattern NAME_FILTER = Pattern.compile("name\\s*=\\s*'([^']*)'");

    final int port;
    private final JsonMapper json = JsonMapper.createDefault();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private HttpServer server;

    // Recorded state, guarded by this.
    final Map<String, Experiment> experiments = new LinkedHashMap<>();
    final Map<String, Run> runs = new LinkedHashMap<>();
    final Map<String, Model> models = new LinkedHashMap<>();
    final Map<String, byte[]> artifacts = new LinkedHashMap<>();
    final List<String> requests = new ArrayList<>();
    private final Map<String, Upload> uploads = new LinkedHashMap<>();
    /** Files whose multipart upload was aborted, by artifact path. */
    private final List<String> aborted = new ArrayList<>();
    /** The Authorization header of each part PUT, "none" when absent. */
    private final List<String> partAuthorizations = new ArrayList<>();
    private final Map<String, List<String>> extraListing = new LinkedHashMap<>();
    private volatile boolean multipart = true;

    // Failure injection.
    private final List<Rule> faults = new ArrayList<>();
    private volatile String requiredAuthorization;
    private volatile boolean forbidden;

    enum Fault {
        /** Answer 500 without applying the request. */
        ERROR_500,
        /** Apply the request, then answer 500: the caller cannot know it took effect. */
        APPLY_THEN_500,
        /** Apply the request and go down before answering, as a server that crashed after committing. */
        APPLY_THEN_DOWN,
        /** Answer after {@link #SLOW_MS}, longer than the client waits; the request is applied. */
        SLOW
    }

    static final long SLOW_MS = 2500;

    private static final class Rule {
        final String pathPart;
        final Fault fault;
        int left;

        Rule(String pathPart, Fault fault, int times) {
            this.pathPart = pathPart;
            this.fault = fault;
            this.left = times;
        }
    }

    record Experiment(String id, String name) {
    }

    record Metric(String key, double value, long step, long timestamp) {
    }

    static final class Run {
        final String id;
        final String experimentId;
        final String name;
        final long startTime;
        final String artifactUri;
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        final List<Metric> metrics = new ArrayList<>();
        String status = "RUNNING";
        Long endTime;
        String userId = "";

        Run(String id, String experimentId, String name, long startTime) {
            this.id = id;
            this.experimentId = experimentId;
            this.name = name;
            this.startTime = startTime;
            this.artifactUri = "mlflow-artifacts:/" + experimentId + "/" + id + "/artifacts";
        }
    }

    /** An open multipart upload: the file it makes and the parts received so far. */
    private record Upload(String artifact, int parts, Map<Integer, byte[]> received) {
    }

    record Version(String version, String source, String runId, Map<String, String> tags, String description) {
    }

    static final class Model {
        final String name;
        final List<Version> versions = new ArrayList<>();
        final Map<String, String> aliases = new LinkedHashMap<>();

        Model(String name) {
            this.name = name;
        }
    }

    /** An error answer of the MLflow server. */
    private static final class MlflowError extends RuntimeException {
        final int status;
        final String code;

        MlflowError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private MlflowStandIn(int port) {
        this.port = port;
    }

    /** A stand-in on a free loopback port, up. */
    static MlflowStandIn start() {
        MlflowStandIn s = new MlflowStandIn(freePort());
        s.up();
        return s;
    }

    /** A stand-in on a free loopback port that is down (connections refused) until {@link #up()}. */
    static MlflowStandIn down() {
        return new MlflowStandIn(freePort());
    }

    String uri() {
        return "http://127.0.0.1:" + port;
    }

    synchronized void up() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    void stop() {
        HttpServer s;
        synchronized (this) {
            s = server;
            server = null;
        }
        if (s != null) {
            s.stop(0);
        }
    }

    @Override
    public void close() {
        stop();
        pool.shutdownNow();
    }

    /** The next {@code times} requests whose path contains {@code pathPart} meet {@code fault}; rules apply in order. */
    void inject(String pathPart, int times, Fault fault) {
        synchronized (faults) {
            faults.add(new Rule(pathPart, fault, times));
        }
    }

    /** Faults injected but not yet met; empty once every injected failure has happened. */
    List<String> unmetFaults() {
        synchronized (faults) {
            return faults.stream().filter(r -> r.left > 0).map(r -> r.fault + " " + r.pathPart).toList();
        }
    }

    private Fault takeFault(String path) {
        synchronized (faults) {
            for (Rule r : faults) {
                if (r.left > 0 && path.contains(r.pathPart)) {
                    r.left--;
                    return r.fault;
                }
            }
        }
        return null;
    }

    void requireBasic(String user, String password) {
        requiredAuthorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Answers multipart calls as a server whose artifact store cannot do them (a local file store). */
    void withoutMultipart() {
        multipart = false;
    }

    /** Adds a name to the listing of {@code folder}, as a broken or hostile server might. */
    synchronized void addListingEntry(String folder, String name) {
        extraListing.computeIfAbsent(folder, f -> new ArrayList<>()).add(name);
    }

    synchronized List<String> aborted() {
        return List.copyOf(aborted);
    }

    synchronized List<String> partAuthorizations() {
        return List.copyOf(partAuthorizations);
    }

    void forbid() {
        forbidden = true;
    }

    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    synchronized List<Run> runsOf(String experimentName) {
        Experiment e = experiments.values().stream().filter(x -> x.name().equals(experimentName)).findFirst().orElse(null);
        return e == null ? List.of() : runs.values().stream().filter(r -> r.experimentId.equals(e.id())).toList();
    }

    synchronized Model model(String name) {
        return models.get(name);
    }

    synchronized String alias(String model, String alias) {
        Model m = models.get(model);
        return m == null ? null : m.aliases.get(alias);
    }

    synchronized byte[] artifact(String path) {
        return artifacts.get(path);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            boolean presigned = path.startsWith(PRESIGNED); // the store checks the URL's signature instead
            if (!presigned && requiredAuthorization != null
                    && !requiredAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"mlflow\"");
                reply(ex, 401, "text/plain", ("You are not authenticated. Please see https://www.mlflow.org/docs/latest/"
                        + "auth/index.html#authenticating-to-mlflow on how to authenticate.").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (forbidden) {
                reply(ex, 403, "text/plain", "Permission denied".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Fault fault = takeFault(path);
            if (fault == Fault.ERROR_500) {
                error(ex, new MlflowError(500, "INTERNAL_ERROR", "injected failure"));
                return;
            }
            if (fault == Fault.SLOW) {
                Thread.sleep(SLOW_MS);
            }
            byte[] answer;
            synchronized (this) {
                requests.add(ex.getRequestMethod() + " " + path);
                if (presigned) {
                    String auth = ex.getRequestHeaders().getFirst("Authorization");
                    partAuthorizations.add(auth == null ? "none" : auth);
                    ex.getResponseHeaders().set("ETag", etag(body));
                }
                try {
                    answer = route(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), body);
                } catch (MlflowError e) {
                    error(ex, e);
                    return;
                }
            }
            if (fault == Fault.APPLY_THEN_DOWN) {
                stop(); // closes this connection too: the caller sees it break, never an answer
                return;
            }
            if (fault == Fault.APPLY_THEN_500) {
                error(ex, new MlflowError(500, "INTERNAL_ERROR", "injected failure after applying the request"));
                return;
            }
            reply(ex, 200, path.startsWith(ARTIFACTS) && ex.getRequestMethod().equals("GET")
                    ? "application/octet-stream" : "application/json", answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] route(String method, String path, String query, byte[] body) throws IOException {
        if (path.startsWith(PRESIGNED) && method.equals("PUT")) {
            return putPart(path, body);
        }
        if (path.startsWith(MULTIPART) && method.equals("POST")) {
            return json.writeValueAsBytes(multipart(path.substring(MULTIPART.length()),
                    json.readValue(body, Argument.mapOf(String.class, Object.class))));
        }
        if (path.equals(ARTIFACT_LIST) && method.equals("GET")) {
            return json.writeValueAsBytes(Map.of("files", listing(String.valueOf(query(query).get("path")))));
        }
        if (path.startsWith(ARTIFACTS)) {
            String artifact = URLDecoder.decode(path.substring(ARTIFACTS.length()), StandardCharsets.UTF_8);
            if (artifact.contains("..")) {
                throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Invalid path");
            }
            if (method.equals("PUT")) {
                artifacts.put(artifact, body);
                return "{}".getBytes(StandardCharsets.UTF_8);
            }
            if (method.equals("GET") && artifacts.containsKey(artifact)) {
                return artifacts.get(artifact);
            }
            throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "File not found: " + artifact);
        }
        if (!path.startsWith(API)) {
            throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "No API endpoint at " + path);
        }
        String endpoint = method + " " + path.substring(API.length());
        Map<String, Object> q = query(query);
        Map<String, Object> in = body.length == 0 ? Map.of() : json.readValue(body, Argument.mapOf(String.class, Object.class));
        Object out = switch (endpoint) {
            case "GET experiments/get-by-name" -> Map.of("experiment", experiment(byName(text(q, "experiment_name"))));
            case "GET experiments/search", "POST experiments/search" ->
                    Map.of("experiments", experiments.values().stream().map(this::experiment).toList());
            case "POST experiments/create" -> createExperiment(text(in, "name"));
            case "POST runs/create" -> createRun(in);
            case "GET runs/get" -> Map.of("run", run(runOf(q)));
            case "POST runs/search" -> searchRuns(in);
            case "POST runs/log-batch" -> logBatch(in);
            case "POST runs/update" -> updateRun(in);
            case "POST registered-models/create" -> createModel(text(in, "name"));
            case "POST model-versions/create" -> createVersion(in);
            case "GET model-versions/search" -> searchVersions(q);
            case "POST model-versions/set-tag" -> setVersionTag(in);
            case "POST registered-models/alias" -> setAlias(in);
            case "DELETE registered-models/alias" -> deleteAlias(in);
            default -> throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "No API endpoint " + endpoint);
        };
        return json.writeValueAsBytes(out);
    }

    private Object multipart(String call, Map<String, Object> in) {
        if (!multipart) {
            throw new MlflowError(501, "NOT_IMPLEMENTED", "Multipart upload is not supported for the current "
                    + "artifact repository");
        }
        int slash = call.indexOf('/');
        String folder = URLDecoder.decode(call.substring(slash + 1), StandardCharsets.UTF_8);
        if (folder.contains("..")) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Invalid path");
        }
        String name = text(in, "path");
        String artifact = folder + "/" + name.substring(name.lastIndexOf('/') + 1);
        switch (call.substring(0, slash)) {
            case "create" -> {
                int parts = (int) number(in.get("num_parts"));
                String id = UUID.randomUUID().toString();
                uploads.put(id, new Upload(artifact, parts, new LinkedHashMap<>()));
                List<Map<String, Object>> credentials = new ArrayList<>();
                for (int i = 1; i <= parts; i++) {
                    credentials.add(Map.of("part_number", String.valueOf(i), "url", uri() + PRESIGNED + id + "/part-" + i
                            + "?X-Amz-Signature=stand-in", "headers", Map.of()));
                }
                return Map.of("upload_id", id, "credentials", credentials);
            }
            case "complete" -> {
                Upload upload = uploadOf(text(in, "upload_id"), artifact);
                ByteArrayOutputStream file = new ByteArrayOutputStream();
                List<Map<String, Object>> parts = list(in, "parts");
                for (int i = 1; i <= upload.parts(); i++) {
                    byte[] part = upload.received().get(i);
                    String listed = parts.size() < i ? null : String.valueOf(parts.get(i - 1).get("etag"));
                    if (part == null || number(parts.get(i - 1).get("part_number")) != i || !etag(part).equals(listed)) {
                        throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "InvalidPart: part " + i + " of "
                                + artifact + " is missing or listed with a wrong ETag");
                    }
                    file.writeBytes(part);
                }
                uploads.remove(text(in, "upload_id"));
                artifacts.put(artifact, file.toByteArray());
            }
            case "abort" -> {
                uploadOf(text(in, "upload_id"), artifact);
                uploads.remove(text(in, "upload_id"));
                aborted.add(artifact);
            }
            default -> throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "No API endpoint mpu/" + call);
        }
        return Map.of();
    }

    private Upload uploadOf(String id, String artifact) {
        Upload upload = uploads.get(id);
        if (upload == null || !upload.artifact().equals(artifact)) {
            throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "NoSuchUpload: " + id + " for " + artifact);
        }
        return upload;
    }

    private byte[] putPart(String path, byte[] body) {
        String[] at = path.substring(PRESIGNED.length()).split("/");
        Upload upload = uploads.get(at[0]);
        if (upload == null) {
            throw new MlflowError(404, "NoSuchUpload", "The specified upload does not exist");
        }
        upload.received().put(Integer.parseInt(at[1].substring("part-".length())), body);
        return new byte[0];
    }

    /** Base names of what lies directly in {@code folder}: files with their size, folders without. */
    private List<Map<String, Object>> listing(String folder) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        String prefix = folder + "/";
        artifacts.forEach((key, bytes) -> {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                int slash = rest.indexOf('/');
                out.put(slash < 0 ? rest : rest.substring(0, slash), slash < 0
                        ? Map.of("path", rest, "is_dir", false, "file_size", String.valueOf(bytes.length))
                        : Map.of("path", rest.substring(0, slash), "is_dir", true));
            }
        });
        extraListing.getOrDefault(folder, List.of()).forEach(name ->
                out.put(name, Map.of("path", name, "is_dir", false, "file_size", "1")));
        return List.copyOf(out.values());
    }

    private static String etag(byte[] bytes) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes))
                    + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Experiment byName(String name) {
        return experiments.values().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() ->
                new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name + "'"));
    }

    private Map<String, Object> experiment(Experiment e) {
        return Map.of("experiment_id", e.id(), "name", e.name(), "artifact_location", "mlflow-artifacts:/" + e.id(),
                "lifecycle_stage", "active");
    }

    private Object createExperiment(String name) {
        if (experiments.values().stream().anyMatch(e -> e.name().equals(name))) {
            throw new MlflowError(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
        }
        String id = String.valueOf(experiments.size() + 1);
        experiments.put(id, new Experiment(id, name));
        return Map.of("experiment_id", id);
    }

    private Object createRun(Map<String, Object> in) {
        String experimentId = text(in, "experiment_id");
        if (!experiments.containsKey(experimentId)) {
            throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + experimentId + " exists");
        }
        Run run = new Run(UUID.randomUUID().toString().replace("-", ""), experimentId,
                String.valueOf(in.getOrDefault("run_name", "")), number(in.get("start_time")));
        tags(in).forEach(run.tags::put);
        run.userId = String.valueOf(in.getOrDefault("user_id", ""));
        runs.put(run.id, run);
        return Map.of("run", run(run));
    }

    private Map<String, Object> run(Run r) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", r.id);
        info.put("run_uuid", r.id);
        info.put("run_name", r.name);
        info.put("experiment_id", r.experimentId);
        info.put("status", r.status);
        info.put("start_time", r.startTime);
        info.put("user_id", r.userId);
        if (r.endTime != null) {
            info.put("end_time", r.endTime);
        }
        info.put("artifact_uri", r.artifactUri);
        info.put("lifecycle_stage", "active");
        List<Map<String, String>> tags = r.tags.entrySet().stream()
                .map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList();
        return Map.of("info", info, "data", Map.of("tags", tags));
    }

    private Object searchRuns(Map<String, Object> in) {
        List<?> ids = (List<?>) in.getOrDefault("experiment_ids", List.of());
        String filter = String.valueOf(in.getOrDefault("filter", ""));
        Matcher m = TAG_FILTER.matcher(filter.trim());
        if (!filter.isBlank() && !m.matches()) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Invalid filter '" + filter + "' (stand-in: tags only)");
        }
        return Map.of("runs", runs.values().stream().filter(r -> ids.contains(r.experimentId))
                .filter(r -> filter.isBlank() || m.group(2).equals(r.tags.get(m.group(1)))).map(this::run).toList());
    }

    private Object logBatch(Map<String, Object> in) {
        Run run = runOf(in);
        List<Map<String, Object>> metrics = list(in, "metrics");
        List<Map<String, Object>> params = list(in, "params");
        List<Map<String, Object>> tags = list(in, "tags");
        if (metrics.size() > 1000 || params.size() + tags.size() > 100 || metrics.size() + params.size() + tags.size() > 1000) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 1000 "
                    + "metrics, 100 params + tags and 1000 entities in total");
        }
        for (Map<String, Object> p : params) {
            String key = text(p, "key");
            String value = text(p, "value");
            if (value.length() > 6000) {
                throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Param value exceeds the maximum length of 6000");
            }
            String old = run.params.get(key);
            if (old != null && !old.equals(value)) {
                throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Param with key='"
                        + key + "' was already logged with value='" + old + "' for run ID='" + run.id + "'.");
            }
        }
        params.forEach(p -> run.params.put(text(p, "key"), text(p, "value")));
        tags.forEach(t -> run.tags.put(text(t, "key"), text(t, "value")));
        for (Map<String, Object> m : metrics) {
            Metric point = new Metric(text(m, "key"), ((Number) m.get("value")).doubleValue(), number(m.get("step")),
                    number(m.get("timestamp")));
            if (!run.metrics.contains(point)) {
                run.metrics.add(point);
            }
        }
        return Map.of();
    }

    private Object updateRun(Map<String, Object> in) {
        Run run = runOf(in);
        if (in.containsKey("status")) {
            run.status = text(in, "status");
        }
        if (in.containsKey("end_time")) {
            run.endTime = number(in.get("end_time"));
        }
        return Map.of("run_info", run(run).get("info"));
    }

    private Object createModel(String name) {
        if (models.containsKey(name)) {
            throw new MlflowError(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=" + name + ") already exists.");
        }
        models.put(name, new Model(name));
        return Map.of("registered_model", Map.of("name", name));
    }

    private Object createVersion(Map<String, Object> in) {
        Model model = modelOf(text(in, "name"));
        String source = text(in, "source");
        String runId = (String) in.get("run_id");
        if (runId != null && !runs.containsKey(runId)) {
            throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + runId + " not found");
        }
        boolean local = !source.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || source.startsWith("file:");
        if (local) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Invalid model version source: '" + source + "'. To use "
                    + "a local path as a model version source, the run_id request parameter has to be specified and "
                    + "the local path has to be contained within the artifact directory of the run specified by the "
                    + "run_id.");
        }
        Version v = new Version(String.valueOf(model.versions.size() + 1), source, runId, new LinkedHashMap<>(tags(in)),
                String.valueOf(in.getOrDefault("description", "")));
        model.versions.add(v);
        return Map.of("model_version", version(model, v));
    }

    private Map<String, Object> version(Model m, Version v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name);
        out.put("version", v.version());
        out.put("source", v.source());
        if (v.runId() != null) {
            out.put("run_id", v.runId());
        }
        out.put("status", "READY");
        out.put("tags", v.tags().entrySet().stream().map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList());
        return out;
    }

    private Object searchVersions(Map<String, Object> q) {
        String filter = String.valueOf(q.getOrDefault("filter", ""));
        Matcher m = NAME_FILTER.matcher(filter.trim());
        if (!m.matches()) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Invalid filter '" + filter + "' (stand-in: name only)");
        }
        Model model = models.get(m.group(1));
        return model == null ? Map.of() : Map.of("model_versions", model.versions.stream().map(v -> version(model, v)).toList());
    }

    private Object setVersionTag(Map<String, Object> in) {
        versionOf(modelOf(text(in, "name")), text(in, "version")).tags().put(text(in, "key"), text(in, "value"));
        return Map.of();
    }

    private Object setAlias(Map<String, Object> in) {
        String alias = text(in, "alias");
        if (alias.equalsIgnoreCase("latest") || alias.matches("^[vV]\\d+$")) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "'" + alias + "' alias name is reserved.");
        }
        Model model = modelOf(text(in, "name"));
        Version v = versionOf(model, text(in, "version"));
        model.aliases.put(alias, v.version());
        return Map.of();
    }

    private Object deleteAlias(Map<String, Object> in) {
        modelOf(text(in, "name")).aliases.remove(text(in, "alias"));
        return Map.of();
    }

    private Run runOf(Map<String, Object> in) {
        String id = (String) (in.containsKey("run_id") ? in.get("run_id") : in.get("run_uuid"));
        Run run = id == null ? null : runs.get(id);
        if (run == null) {
            throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + id + " not found");
        }
        return run;
    }

    private Model modelOf(String name) {
        Model m = models.get(name);
        if (m == null) {
            throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=" + name + " not found");
        }
        return m;
    }

    private static Version versionOf(Model m, String version) {
        return m.versions.stream().filter(v -> v.version().equals(version)).findFirst().orElseThrow(() ->
                new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + m.name + ", version="
                        + version + ") not found"));
    }

    private static Map<String, String> tags(Map<String, Object> in) {
        Map<String, String> out = new LinkedHashMap<>();
        list(in, "tags").forEach(t -> out.put(text(t, "key"), text(t, "value")));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> in, String field) {
        return (List<Map<String, Object>>) in.getOrDefault(field, List.of());
    }

    private static String text(Map<String, Object> in, String field) {
        Object v = in.get(field);
        if (!(v instanceof String s)) {
            throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter '" + field + "'");
        }
        return s;
    }

    /** int64 fields arrive as JSON numbers or, from protobuf's printer, as strings. */
    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : v == null ? 0 : Long.parseLong(v.toString());
    }

    private static Map<String, Object> query(String raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private void error(HttpExchange ex, MlflowError e) throws IOException {
        reply(ex, e.status, "application/json", json.writeValueAsBytes(Map.of("error_code", e.code, "message", e.getMessage())));
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

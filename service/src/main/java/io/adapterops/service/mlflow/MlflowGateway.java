package io.adapterops.service.mlflow;

import io.adapterops.service.tracing.Tracing;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.ModelRegistry.ModelVersionTag;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.Page;
import org.mlflow.tracking.RunsPage;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;
import org.mlflow_project.apachehttp.client.config.RequestConfig;
import org.mlflow_project.apachehttp.impl.client.CloseableHttpClient;
import org.mlflow_project.apachehttp.impl.client.HttpClientBuilder;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Owns every call to the MLflow server. The official Java client covers experiments, runs, batched
 * logging and registry reads; what it lacks (registry writes, aliases, DELETE with a JSON body, the
 * artifact proxy outside {@code /api/2.0/mlflow}) goes through a plain HTTP client with the same
 * credentials and timeout. Nothing here retries: a failure is one {@link MlflowCallException} and the
 * outbox decides when to try again. Every call is a client span named after its MLflow endpoint
 * ({@code mlflow runs/log-batch}, {@code mlflow PUT artifacts}).
 */
@Singleton
public class MlflowGateway {
    static final String API = "/api/2.0/mlflow/";
    static final String USER_TAG = "mlflow.user";
    static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";
    static final String ARTIFACT_LIST = "/api/2.0/mlflow-artifacts/artifacts";
    static final String MULTIPART = "/api/2.0/mlflow-artifacts/mpu/";
    /** MLflow reserves these alias names: "latest" and "v" plus a number (case-insensitive). */
    private static final AttributeKey<String> TRACKING_URI = AttributeKey.stringKey("mlflow.tracking_uri");
    private static final Pattern RESERVED_ALIAS = Pattern.compile("(?i)latest|v\\d+");

    private final MlflowConfig config;
    private final JsonMapper json;
    private final @Nullable MlflowClient client;
    private final @Nullable HttpClient http;
    private final MultipartUpload multipart;
    private final ArtifactDownload downloads;
    private final Tracing tracing;

    public MlflowGateway(MlflowConfig config, JsonMapper json, Tracing tracing) {
        this.config = config;
        this.tracing = tracing;
        this.json = json;
        this.multipart = new MultipartUpload(this, config);
        this.downloads = new ArtifactDownload(this);
        if (config.baseUrl() == null) {
            this.client = null;
            this.http = null;
            return;
        }
        BasicMlflowHostCreds creds = new BasicMlflowHostCreds(config.baseUrl(), config.username(),
                config.password(), config.token(), false);
        this.client = new MlflowClient(creds);
        installTimeouts(client, creds, (int) config.requestTimeout().toMillis());
        this.http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
    }

    /** A cheap authenticated read, to tell "unreachable" from "wrong credentials" at start-up. */
    public void probe() {
        call("experiments/search", () -> client().sendGet("experiments/search?max_results=1"));
    }

    /** The experiment named after the adapter, created on first use. */
    public String experimentId(String name) {
        Optional<Experiment> found = call("experiments/get-by-name", () -> client().getExperimentByName(name));
        if (found.isPresent()) {
            return found.get().getExperimentId();
        }
        try {
            return call("experiments/create", () -> client().createExperiment(name));
        } catch (MlflowCallException e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                throw e;
            }
            return call("experiments/get-by-name", () -> client().getExperimentByName(name)).orElseThrow(() -> e)
                    .getExperimentId();
        }
    }

    public record CreatedRun(String runId, String artifactUri) {
    }

    public CreatedRun createRun(String experimentId, String runName, long startTime, Map<String, String> tags) {
        CreateRun.Builder request = CreateRun.newBuilder().setExperimentId(experimentId).setRunName(runName)
                .setStartTime(startTime);
        String user = tags.get(USER_TAG);
        if (user != null) {
            request.setUserId(user); // as MLflow's Python client fills user_id from the mlflow.user tag
        }
        tags.forEach((k, v) -> request.addTags(RunTag.newBuilder().setKey(k).setValue(v)));
        RunInfo info = call("runs/create", () -> client().createRun(request.build()));
        return new CreatedRun(info.getRunId(), info.getArtifactUri());
    }

    /** The run carrying tag {@code key=value} in the experiment, if an earlier attempt created it. */
    public Optional<CreatedRun> findRun(String experimentId, String key, String value) {
        String filter = "tags.`" + key + "` = '" + value.replace("'", "\\'") + "'";
        RunsPage page = call("runs/search",
                () -> client().searchRuns(List.of(experimentId), filter, ViewType.ALL, 1));
        return page.getItems().stream().findFirst()
                .map(r -> new CreatedRun(r.getInfo().getRunId(), r.getInfo().getArtifactUri()));
    }

    /** One {@code runs/log-batch}; the caller keeps within MLflow's limits (see {@link RunTracker}). */
    public void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags) {
        List<Metric> m = metrics.stream().map(p -> Metric.newBuilder().setKey(p.key()).setValue(p.value())
                .setStep(p.step()).setTimestamp(p.timestamp()).build()).toList();
        List<Param> p = params.entrySet().stream()
                .map(e -> Param.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList();
        List<RunTag> t = tags.entrySet().stream()
                .map(e -> RunTag.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList();
        call("runs/log-batch", () -> {
            client().logBatch(runId, m, p, t);
            return null;
        });
    }

    public void endRun(String runId, String status, long endTime) {
        call("runs/update", () -> {
            client().setTerminated(runId, RunStatus.valueOf(status), endTime);
            return null;
        });
    }

    /**
     * One file through the artifact proxy; a second upload of the same path overwrites it. Files above
     * the multipart threshold go up in parts where the artifact store can, otherwise in one streamed PUT.
     */
    public void uploadArtifact(String runArtifactUri, String relativePath, Path file) {
        String target = proxiedPath(runArtifactUri) + "/" + relativePath;
        HttpRequest.Builder request;
        try {
            long size = Files.size(file);
            if (size > config.multipartThreshold() && multipart.upload(target, file, size)) {
                return;
            }
            request = request(ARTIFACTS + encodePath(target)).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file));
        } catch (IOException e) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, 0, null,
                    "artifact " + file + " cannot be read: " + e.getMessage(), e);
        }
        send(request.build());
    }

    /**
     * Downloads the run's artifact {@code artifactPath} into {@code target}, streaming to disk: a folder's
     * files (recursively) land under {@code target}, a single file as {@code target/<its name>}.
     *
     * @return the files written
     */
    public List<Path> downloadArtifacts(String runId, String artifactPath, Path target) {
        String runArtifactUri = call("runs/get", () -> client().getRun(runId)).getInfo().getArtifactUri();
        return downloads.download(proxiedPath(runArtifactUri), runId, artifactPath, target);
    }

    public void ensureRegisteredModel(String name) {
        try {
            sendJson("POST", "registered-models/create", Map.of("name", name));
        } catch (MlflowCallException e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                throw e;
            }
        }
    }

    /** The version of registered model {@code name} tagged {@code key=value}, if one exists. */
    public Optional<String> findModelVersion(String name, String key, String value) {
        Page<ModelVersion> page = call("model-versions/search",
                () -> client().searchModelVersions("name='" + name + "'", 1000, List.of()));
        while (true) {
            for (ModelVersion v : page.getItems()) {
                for (ModelVersionTag t : v.getTagsList()) {
                    if (t.getKey().equals(key) && t.getValue().equals(value)) {
                        return Optional.of(v.getVersion());
                    }
                }
            }
            if (!page.hasNextPage()) {
                return Optional.empty();
            }
            Page<ModelVersion> current = page;
            page = call("model-versions/search", current::getNextPage);
        }
    }

    public String createModelVersion(String name, String source, @Nullable String runId, Map<String, String> tags,
                                     @Nullable String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("source", source);
        if (runId != null) {
            body.put("run_id", runId);
        }
        List<Map<String, String>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Map.of("key", k, "value", v)));
        body.put("tags", tagList);
        if (description != null) {
            body.put("description", description);
        }
        Map<String, Object> response = sendJson("POST", "model-versions/create", body);
        Object version = response.get("model_version") instanceof Map<?, ?> mv ? mv.get("version") : null;
        if (version == null) {
            throw new MlflowCallException(MlflowCallException.Kind.SERVER, 200, null,
                    "model-versions/create answered without a model_version.version: " + response, null);
        }
        return version.toString();
    }

    public void setModelVersionTag(String name, String version, String key, String value) {
        sendJson("POST", "model-versions/set-tag", Map.of("name", name, "version", version, "key", key, "value", value));
    }

    public void setAlias(String name, String alias, String version) {
        checkAlias(alias);
        sendJson("POST", "registered-models/alias", Map.of("name", name, "alias", alias, "version", version));
    }

    /** DELETE registered-models/alias takes its fields as a JSON body, not as query parameters. */
    public void deleteAlias(String name, String alias) {
        checkAlias(alias);
        sendJson("DELETE", "registered-models/alias", Map.of("name", name, "alias", alias));
    }

    private static void checkAlias(String alias) {
        if (RESERVED_ALIAS.matcher(alias).matches()) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, 0, "INVALID_PARAMETER_VALUE",
                    "alias '" + alias + "' is reserved by MLflow ('latest' and 'v<number>')", null);
        }
    }

    /**
     * The path under the artifact proxy for a run artifact URI such as
     * {@code mlflow-artifacts:/1/abc/artifacts} or {@code mlflow-artifacts://host:5000/1/abc/artifacts}.
     */
    static String proxiedPath(String runArtifactUri) {
        if (!runArtifactUri.startsWith("mlflow-artifacts:")) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, 0, null, "run artifact URI '"
                    + runArtifactUri + "' is not served by the tracking server's artifact proxy; start the server "
                    + "with --serve-artifacts and a default artifact root of mlflow-artifacts:/", null);
        }
        String rest = runArtifactUri.substring("mlflow-artifacts:".length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        return rest.replaceAll("^/+", "").replaceAll("/+$", "");
    }

    static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    private Map<String, Object> sendJson(String method, String path, Map<String, Object> body) {
        return exchangeJson(method, API + path, body);
    }

    /** A JSON request to any path of the server (the tracking API or the artifact proxy). */
    Map<String, Object> exchangeJson(String method, String fullPath, Map<String, Object> body) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String response = send(request(fullPath).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(text)).build());
        return parse(response);
    }

    /** A request to {@code path} on the server, with the MLflow credentials and the request timeout. */
    HttpRequest.Builder request(String path) {
        if (http == null) {
            throw unusable();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.baseUrl() + path))
                .timeout(config.requestTimeout());
        if (config.username() != null) {
            String basic = Base64.getEncoder().encodeToString((config.username() + ":" + config.password())
                    .getBytes(StandardCharsets.UTF_8));
            b.header("Authorization", "Basic " + basic);
        } else if (config.token() != null) {
            b.header("Authorization", "Bearer " + config.token());
        }
        return b;
    }

    String send(HttpRequest request) {
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 == 2) {
            return response.body();
        }
        throw failure(response.statusCode(), response.body(), what(request));
    }

    /** Sends a request to the server; any status comes back, a broken exchange is a TRANSPORT failure. */
    <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        String what = what(request);
        try {
            return tracing.send(http(), spanName(request), request, body);
        } catch (HttpTimeoutException e) {
            throw new MlflowCallException(MlflowCallException.Kind.TRANSPORT, 0, null, what + " timed out after "
                    + config.requestTimeout().toSeconds() + " s", e);
        } catch (IOException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(what, e);
        }
    }

    /** Low-cardinality: the endpoint, not the artifact path or the run. */
    static String spanName(HttpRequest request) {
        String path = request.uri().getRawPath();
        String endpoint = path.startsWith(API) ? path.substring(API.length())
                : path.startsWith(MULTIPART) ? "mpu/" + path.substring(MULTIPART.length()).split("/")[0]
                : path.startsWith(ARTIFACT_LIST) ? "artifacts" : path;
        return "mlflow " + request.method() + " " + endpoint;
    }

    static String what(HttpRequest request) {
        return request.method() + " " + request.uri().getRawPath();
    }

    /** The raw HTTP client, for presigned URLs that must not see the MLflow credentials. */
    HttpClient http() {
        if (http == null) {
            throw unusable();
        }
        return http;
    }

    private <T> T call(String endpoint, Supplier<T> op) {
        try {
            return tracing.inSpan("mlflow " + endpoint, SpanKind.CLIENT,
                    Attributes.of(TRACKING_URI, config.displayUri()), op);
        } catch (MlflowHttpException e) {
            throw failure(e.getStatusCode(), e.getBodyMessage(), "MLflow tracking API");
        } catch (MlflowClientException e) {
            throw unreachable("MLflow tracking API", e);
        }
    }

    private MlflowCallException unreachable(String what, Exception e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new MlflowCallException(MlflowCallException.Kind.TRANSPORT, 0, null, "cannot reach MLflow at "
                + config.displayUri() + " (" + what + "): " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + root.getMessage()), e);
    }

    MlflowCallException failure(int status, @Nullable String body, String what) {
        Map<String, Object> error = parse(body);
        String code = error.get("error_code") instanceof String s ? s : null;
        String message = error.get("message") instanceof String s ? s : body == null ? "" : abbreviate(body);
        String text = what + " answered HTTP " + status + (code == null ? "" : " " + code) + ": " + message;
        if (status == 401 || status == 403) {
            text += " (check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN)";
        }
        return MlflowCallException.ofStatus(status, code, text);
    }

    Map<String, Object> parse(@Nullable String body) {
        if (body == null || body.isBlank() || !body.trim().startsWith("{")) {
            return Map.of();
        }
        try {
            Map<String, Object> map = json.readValue(body, Argument.mapOf(String.class, Object.class));
            return map == null ? Map.of() : map;
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    private MlflowClient client() {
        if (client == null) {
            throw unusable();
        }
        return client;
    }

    private IllegalStateException unusable() {
        return new IllegalStateException("MLflow is not configured: " + config.problem());
    }

    /**
     * The Java client builds its Apache HTTP client without timeouts and retries every 4xx three
     * times; a stalled server would hang the sender for ever. Its package-private caller takes both
     * settings, so it is replaced once here: one attempt, connect and read bounded by the timeout.
     */
    private static void installTimeouts(MlflowClient client, MlflowHostCredsProvider creds, int timeoutMs) {
        RequestConfig limits = RequestConfig.custom().setConnectTimeout(timeoutMs).setSocketTimeout(timeoutMs)
                .setConnectionRequestTimeout(timeoutMs).build();
        CloseableHttpClient bounded = HttpClientBuilder.create().setDefaultRequestConfig(limits).build();
        try {
            Class<?> callerType = Class.forName("org.mlflow.tracking.MlflowHttpCaller");
            Constructor<?> make = callerType.getDeclaredConstructor(MlflowHostCredsProvider.class, int.class,
                    int.class, int.class, CloseableHttpClient.class);
            make.setAccessible(true);
            Field field = MlflowClient.class.getDeclaredField("httpCaller");
            field.setAccessible(true);
            field.set(client, make.newInstance(creds, 0, 0, 1, bounded));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("mlflow-client changed its internals; pin org.mlflow:mlflow-client "
                    + "2.17.2 or revisit MlflowGateway.installTimeouts", e);
        }
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}

package io.adapterops.service.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.service.tracing.Tracing;
import io.adapterops.trainer.Progress;
import io.adapterops.trainer.TrainingListener;
import io.adapterops.trainer.TrainingRequest;
import io.adapterops.trainer.TrainingResult;
import io.adapterops.trainer.worker.ProgressJson;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Trains on a trainer worker ({@code ADAPTEROPS_TRAINER_URL}, e.g. a GPU host running
 * {@code ./adapterops worker}). The dataset travels in the request, so no shared disk is needed;
 * the base model is named as a path on the worker ({@code ADAPTEROPS_TRAINER_MODELS_DIR}/name).
 * The worker's job id is kept in the job's work folder, so after a restart of the service the job
 * is followed again instead of being submitted twice. Every call carries the W3C trace context of the
 * job's training span ({@code traceparent}); all but the status polls are client spans of their own.
 */
@Singleton
@Requires(property = "adapterops.trainer.url")
public class RemoteTrainer implements TrainerBackend {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteTrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(300);
    private static final Duration GIVE_UP = Duration.ofMinutes(10);

    private final URI base;
    private final String token;
    private final String modelsDir;
    private final Tracing tracing;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public RemoteTrainer(@Value("${adapterops.trainer.url}") String url,
                         @Value("${adapterops.trainer.token:}") String token,
                         @Value("${adapterops.trainer.models-dir:}") String modelsDir, Tracing tracing) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.token = token;
        this.modelsDir = modelsDir;
        this.tracing = tracing;
    }

    @Override
    public String host() {
        return base.getHost() + ":" + base.getPort() + " (worker)";
    }

    @Override
    public TrainingResult train(long jobId, TrainingRequest request, TrainingListener listener,
                                BooleanSupplier cancelled, BooleanSupplier stopping) {
        try {
            Files.createDirectories(request.workDir());
            Path idFile = request.workDir().resolve("remote-job");
            String remoteId = Files.exists(idFile) ? Files.readString(idFile).strip() : submit(request, idFile);
            return follow(remoteId, request, listener, cancelled, stopping);
        } catch (IOException e) {
            throw new UncheckedIOException("trainer worker " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TrainingResult(null, null, Map.of(), Double.NaN, true, 0);
        }
    }

    private String submit(TrainingRequest request, Path idFile) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        String model = modelsDir.isBlank() ? request.baseModelDir().toString()
                : Path.of(modelsDir).resolve(request.baseModelDir().getFileName()).toString();
        body.put("base_model", model);
        body.set("config", JSON.valueToTree(request.config().toMap()));
        body.put("dataset", Files.readString(request.datasetFile()));
        if (request.datasetHash() != null) {
            body.put("dataset_hash", request.datasetHash());
        }
        HttpResponse<String> r = send("trainer POST /jobs", HttpRequest.newBuilder(base.resolve("jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        if (r.statusCode() != 202 && r.statusCode() != 201) {
            throw new IllegalStateException("trainer worker refused the job (" + r.statusCode() + "): " + detail(r));
        }
        String id = JSON.readTree(r.body()).path("id").asText();
        Files.writeString(idFile, id);
        return id;
    }

    private TrainingResult follow(String id, TrainingRequest request, TrainingListener listener,
                                  BooleanSupplier cancelled, BooleanSupplier stopping)
            throws IOException, InterruptedException {
        long lastStep = -1;
        boolean cancelSent = false;
        long unreachableSince = 0;
        while (true) {
            if (stopping.getAsBoolean()) {
                return new TrainingResult(null, null, Map.of(), Double.NaN, true, Math.max(lastStep, 0));
            }
            if (cancelled.getAsBoolean() && !cancelSent) {
                send("trainer POST /jobs/{id}/cancel", HttpRequest.newBuilder(base.resolve("jobs/" + id + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody()));
                cancelSent = true;
            }
            JsonNode job;
            try {
                HttpResponse<String> r = send(null, HttpRequest.newBuilder(base.resolve("jobs/" + id)).GET());
                if (r.statusCode() == 404) {
                    throw new IllegalStateException("trainer worker " + base + " no longer knows job " + id);
                }
                job = JSON.readTree(r.body());
                unreachableSince = 0;
            } catch (IOException e) {
                unreachableSince = unreachableSince == 0 ? System.currentTimeMillis() : unreachableSince;
                if (System.currentTimeMillis() - unreachableSince > GIVE_UP.toMillis()) {
                    throw new IOException("unreachable for " + GIVE_UP.toMinutes() + " minutes", e);
                }
                LOG.warn("trainer worker {} unreachable ({}); retrying", base, e.getMessage());
                Thread.sleep(POLL.toMillis() * 10);
                continue;
            }
            if (job.has("progress")) {
                Progress p = ProgressJson.read(job.get("progress"));
                if (p.step() > lastStep) {
                    lastStep = p.step();
                    listener.onProgress(p);
                }
            }
            switch (job.path("status").asText()) {
                case "SUCCEEDED" -> {
                    return fetch(id, request, Math.max(lastStep, 0));
                }
                case "CANCELLED" -> {
                    return new TrainingResult(null, null, Map.of(), Double.NaN, true, Math.max(lastStep, 0));
                }
                case "FAILED" -> throw new IllegalStateException("trainer worker: " + job.path("error").asText());
                default -> Thread.sleep(POLL.toMillis());
            }
        }
    }

    /** Downloads the adapter zip into the work folder (entries may not leave it) and reads its summary. */
    private TrainingResult fetch(String id, TrainingRequest request, long steps) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = tracing.send(http, "trainer GET /jobs/{id}/adapter",
                authorised(HttpRequest.newBuilder(base.resolve("jobs/" + id + "/adapter")).GET()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("trainer worker did not hand over the adapter of job " + id + " ("
                    + r.statusCode() + ")");
        }
        Path adapter = request.workDir().resolve("adapter");
        Files.createDirectories(adapter);
        try (ZipInputStream zip = new ZipInputStream(r.body())) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = adapter.resolve(e.getName()).normalize();
                if (!target.startsWith(adapter) || e.isDirectory()) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(zip, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path summary = adapter.resolve("training_summary.json");
        JsonNode s = JSON.readTree(summary.toFile());
        Map<String, Double> metrics = new HashMap<>();
        s.path("final_metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), f.getValue().asDouble()));
        return new TrainingResult(adapter, summary, metrics, s.path("parity_max_logit_diff").asDouble(Double.NaN),
                false, steps);
    }

    /** A call in a client span named {@code spanName}; a status poll ({@code null}) only carries the trace context. */
    private HttpResponse<String> send(String spanName, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        authorised(request).timeout(Duration.ofSeconds(60));
        if (spanName == null) {
            return http.send(tracing.propagate(request).build(), HttpResponse.BodyHandlers.ofString());
        }
        return tracing.send(http, spanName, request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder b) {
        return token.isBlank() ? b : b.header("Authorization", "Bearer " + token);
    }

    private static String detail(HttpResponse<String> r) {
        try {
            JsonNode n = JSON.readTree(r.body());
            return n.path("detail").asText(r.body());
        } catch (IOException e) {
            return r.body();
        }
    }
}

package io.adapterops.service.mlflow;

import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.mlflow.OutboxPayloads.CreateRun;
import io.adapterops.service.mlflow.OutboxPayloads.EndRun;
import io.adapterops.service.mlflow.OutboxPayloads.LogBatch;
import io.adapterops.service.mlflow.OutboxPayloads.UploadArtifacts;
import io.adapterops.service.training.TrainingJob;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How a training run is tracked: the runner calls these and never waits on MLflow. Each call is one
 * transaction that records the values in the AdapterOps database (and data dir, for artifacts) and,
 * when an MLflow server is configured, queues the same writes in the outbox, chunked to MLflow's
 * limits. Values MLflow would refuse are refused here, at once, with the reason.
 */
@Singleton
public class RunTracker {
    // MLflow's limits (mlflow/utils/validation.py): per log-batch, and per value.
    static final int MAX_METRICS_PER_BATCH = 1000;
    static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
    static final int MAX_KEY_LENGTH = 250;
    static final int MAX_PARAM_LENGTH = 6000;
    static final int MAX_TAG_LENGTH = 5000;

    private final LocalTrackingStore local;
    private final TrackingRunRepository runs;
    private final TrackingMetricRepository metrics;
    private final MlflowOutbox outbox;
    private final DatasetVersionRepository datasetVersions;
    private final JsonMapper json;

    public RunTracker(LocalTrackingStore local, TrackingRunRepository runs, TrackingMetricRepository metrics,
                      MlflowOutbox outbox,
                      DatasetVersionRepository datasetVersions, JsonMapper json) {
        this.local = local;
        this.runs = runs;
        this.metrics = metrics;
        this.outbox = outbox;
        this.datasetVersions = datasetVersions;
        this.json = json;
    }

    /**
     * Starts the run of a training job in the experiment named after its adapter, with the job's
     * settings as parameters (hyperparameters by their own names) and where it runs as tags.
     */
    @Transactional
    public long startRun(TrainingJob job, String trainerHost) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("adapterops.job_id", String.valueOf(job.id()));
        tags.put("adapterops.trainer_host", trainerHost);
        tags.put("adapterops.version", adapteropsVersion());
        tags.put(MlflowGateway.USER_TAG, job.createdBy());
        long runId = startRun(job.adapterName(), job.id(), "job-" + job.id(), tags);
        Map<String, String> params = new TreeMap<>();
        params.put("base_model", job.baseModel());
        params.put("objective", job.objective().name());
        if (job.datasetVersionId() != null) {
            datasetVersions.findById(job.datasetVersionId())
                    .ifPresent(v -> params.put("dataset_hash", v.contentHash()));
        }
        hyperparameters(job.hyperparameters()).forEach(params::put);
        logParams(runId, params);
        return runId;
    }

    /**
     * The run of a job: the one still RUNNING when a resumed job comes back after a restart, else a
     * new one ({@link #startRun(TrainingJob, String)}). A job retried after it ended gets a new run.
     */
    @Transactional
    public long runFor(TrainingJob job, String trainerHost) {
        return runs.findFirstByTrainingJobIdOrderByIdDesc(job.id()).filter(r -> r.status() == RunStatus.RUNNING)
                .map(TrackingRun::id).orElseGet(() -> startRun(job, trainerHost));
    }

    @Transactional
    public long startRun(String experiment, @Nullable Long trainingJobId, String name, Map<String, String> tags) {
        checkEntries("tag", tags, MAX_TAG_LENGTH);
        TrackingRun run = local.createRun(experiment, trainingJobId, name, tags);
        outbox.enqueue(MlflowOutbox.runStream(run.id()), OutboxKind.CREATE_RUN, new CreateRun(run.id(), run.uid(),
                experiment, name, run.startTime().toEpochMilli(), withUid(tags, run.uid())));
        return run.id();
    }

    @Transactional
    public void logParams(long runId, Map<String, String> params) {
        checkEntries("parameter", params, MAX_PARAM_LENGTH);
        local.logParams(runId, params);
        for (List<Map.Entry<String, String>> chunk : chunks(params.entrySet(), MAX_PARAMS_TAGS_PER_BATCH)) {
            outbox.enqueue(MlflowOutbox.runStream(runId), OutboxKind.LOG_BATCH,
                    new LogBatch(runId, List.of(), toMap(chunk), Map.of()));
        }
    }

    /**
     * One training step's metrics (train_loss, eval_loss, learning_rate, grad_norm, tokens_per_s, …).
     * A metric already logged at this step is skipped: a job resumed from its last checkpoint after
     * a crash runs the steps since that checkpoint again, and a run's history keeps one point per step.
     */
    @Transactional
    public void logMetrics(long runId, long step, Map<String, Double> values) {
        long now = System.currentTimeMillis();
        Set<String> logged = metrics.findByRunIdAndStep(runId, step).stream().map(TrackingMetric::name)
                .collect(Collectors.toSet());
        List<MetricPoint> points = new ArrayList<>();
        values.forEach((key, value) -> {
            if (logged.contains(key)) {
                return;
            }
            checkKey("metric", key);
            if (value == null || !Double.isFinite(value)) {
                throw new IllegalArgumentException("metric '" + key + "' at step " + step + " is " + value
                        + "; only finite values are recorded");
            }
            points.add(new MetricPoint(key, value, step, now));
        });
        if (points.isEmpty()) {
            return;
        }
        local.logMetrics(runId, points);
        for (List<MetricPoint> chunk : chunks(points, MAX_METRICS_PER_BATCH)) {
            outbox.enqueue(MlflowOutbox.runStream(runId), OutboxKind.LOG_BATCH,
                    new LogBatch(runId, chunk, Map.of(), Map.of()));
        }
    }

    /**
     * Logs a file or a folder (the adapter, {@code training_summary.json}, a cleaning or evaluation
     * report) under {@code artifactPath}. It is copied into the data dir at once, so the caller may
     * delete its own copy; the outbox uploads it through the tracking server's artifact proxy.
     */
    @Transactional
    public void logArtifact(long runId, Path source, String artifactPath) {
        if (!Files.exists(source)) {
            throw new IllegalArgumentException("artifact " + source + " does not exist");
        }
        List<String> files = local.copyArtifacts(runId, source, artifactPath);
        if (!files.isEmpty()) {
            outbox.enqueue(MlflowOutbox.runStream(runId), OutboxKind.UPLOAD_ARTIFACTS, new UploadArtifacts(runId, files));
        }
    }

    @Transactional
    public void endRun(long runId, RunStatus status) {
        if (status == RunStatus.RUNNING) {
            throw new IllegalArgumentException("a run ends FINISHED, FAILED or KILLED, not RUNNING");
        }
        local.finish(runId, status);
        outbox.enqueue(MlflowOutbox.runStream(runId), OutboxKind.END_RUN,
                new EndRun(runId, status.name(), System.currentTimeMillis()));
    }

    static Map<String, String> withUid(Map<String, String> tags, String uid) {
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put(OutboxDelivery.RUN_UID_TAG, uid);
        return all;
    }

    private Map<String, String> hyperparameters(String jsonText) {
        Map<String, Object> values;
        try {
            values = json.readValue(jsonText, Argument.mapOf(String.class, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("hyperparameters are not a JSON object: " + jsonText, e);
        }
        Map<String, String> out = new TreeMap<>();
        if (values != null) {
            values.forEach((k, v) -> out.put(k, v instanceof Collection<?> c
                    ? c.stream().map(String::valueOf).collect(Collectors.joining(","))
                    : String.valueOf(v)));
        }
        return out;
    }

    private static void checkEntries(String what, Map<String, String> entries, int maxValue) {
        entries.forEach((k, v) -> {
            checkKey(what, k);
            if (v == null || v.length() > maxValue) {
                throw new IllegalArgumentException(what + " '" + k + "' must have a value of at most " + maxValue
                        + " characters (MLflow's limit), got " + (v == null ? "none" : v.length()));
            }
        });
    }

    private static void checkKey(String what, String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(what + " names must be 1 to " + MAX_KEY_LENGTH + " characters: '"
                    + key + "'");
        }
    }

    private static <T> List<List<T>> chunks(Collection<T> items, int size) {
        List<T> all = new ArrayList<>(items);
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }

    private static Map<String, String> toMap(List<Map.Entry<String, String>> entries) {
        Map<String, String> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    private static String adapteropsVersion() {
        String v = RunTracker.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}

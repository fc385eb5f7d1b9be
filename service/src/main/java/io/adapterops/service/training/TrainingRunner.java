package io.adapterops.service.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.datasets.DatasetUploads;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.mlflow.RunStatus;
import io.adapterops.service.mlflow.RunTracker;
import io.adapterops.service.jobs.BackgroundWorker;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.registry.AdapterRegistry;
import io.adapterops.service.registry.AdapterRepository;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.training.TrainingJob.JobStatus;
import io.adapterops.trainer.Progress;
import io.adapterops.trainer.TrainingConfig;
import io.adapterops.trainer.TrainingRequest;
import io.adapterops.trainer.TrainingResult;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.data.exceptions.OptimisticLockException;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs queued training jobs in this process, one at a time (PyTorch allows one gradient collector
 * per JVM). A job that was RUNNING when the service stopped is picked up again at start-up and
 * resumes from its last checkpoint. Success registers a REGISTERED adapter version that points at
 * the adapter folder; failure records why; a cancel is honoured between steps.
 */
@Singleton
public class TrainingRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PERSIST_EVERY_MS = 1000;

    private final TrainingJobRepository jobs;
    private final DatasetVersionRepository datasetVersions;
    private final ModelStore store;
    private final AdapterRegistry registry;
    private final AdapterRepository adapters;
    private final AuditLog audit;
    private final ProgressHub hub;
    private final TransactionOperations<Connection> tx;
    private final RunTracker tracker;
    private final DatasetUploads uploads;
    private final TrainerBackend backend;
    private volatile boolean stopping;
    private final ExecutorService worker = BackgroundWorker.named("trainer");

    public TrainingRunner(TrainingJobRepository jobs, DatasetVersionRepository datasetVersions, ModelStore store,
                          AdapterRegistry registry, AdapterRepository adapters, AuditLog audit, ProgressHub hub,
                          TransactionOperations<Connection> tx, RunTracker tracker, DatasetUploads uploads,
                          TrainerBackend backend) {
        this.backend = backend;
        this.tracker = tracker;
        this.uploads = uploads;
        this.jobs = jobs;
        this.datasetVersions = datasetVersions;
        this.store = store;
        this.registry = registry;
        this.adapters = adapters;
        this.audit = audit;
        this.hub = hub;
        this.tx = tx;
    }

    public void submit(long jobId) {
        worker.submit(() -> run(jobId));
    }

    @EventListener
    void onStartup(StartupEvent event) {
        for (TrainingJob job : jobs.findByStatusInOrderById(List.of(JobStatus.RUNNING, JobStatus.QUEUED))) {
            if (job.status() == JobStatus.RUNNING) {
                audit.record("system", "training-job.interrupted", "training-job:" + job.id(), JobStatus.RUNNING.name(),
                        JobStatus.RUNNING.name(), "the service stopped while the job ran; it resumes from its last "
                                + "checkpoint");
            }
            submit(job.id());
        }
    }

    private void run(long jobId) {
        if (stopping) {
            return;
        }
        TrainingJob job = jobs.findById(jobId).orElseThrow();
        if (job.status().finished()) {
            return;
        }
        boolean resuming = job.status() == JobStatus.RUNNING;
        try {
            if (!resuming) {
                TrainingJob queued = job;
                job = tx.executeWrite(s -> {
                    TrainingJob started = jobs.update(queued.withStatus(JobStatus.RUNNING, null));
                    audit.record("system", "training-job.started", "training-job:" + jobId, JobStatus.QUEUED.name(),
                            JobStatus.RUNNING.name(), "on " + backend.host());
                    return started;
                });
            }
        } catch (OptimisticLockException e) {
            return;
        }
        long[] lastPersist = {0};
        boolean[] resumeAudited = {!resuming};
        long runId = tracker.runFor(job, backend.host());
        try {
            DatasetVersion data = datasetVersions.findById(job.datasetVersionId()).orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> params = JSON.readValue(job.hyperparameters(), Map.class);
            TrainingRequest request = new TrainingRequest(store.baseModel(job.baseModel()), Path.of(data.path()),
                    workDir(jobId), TrainingConfig.fromMap(params), data.contentHash());
            TrainingResult result = backend.train(jobId, request, p -> {
                if (!resumeAudited[0]) {
                    resumeAudited[0] = true;
                    audit.record("system", "training-job.resumed", "training-job:" + jobId, JobStatus.RUNNING.name(),
                            JobStatus.RUNNING.name(), "from step " + (p.step() - 1) + " of " + p.totalSteps());
                }
                onProgress(jobId, runId, p, lastPersist);
            },
                    () -> hub.isCancelled(jobId), () -> stopping);
            if (result.cancelled() && stopping && !hub.isCancelled(jobId)) {
                return;
            }
            if (result.cancelled()) {
                tracker.endRun(runId, RunStatus.KILLED);
                hub.finished(jobId, JobStatus.CANCELLED.name());
                return;
            }
            finish(jobId, runId, result, uploads.reportPath(data));
        } catch (OptimisticLockException e) {
            tracker.endRun(runId, RunStatus.KILLED);
            hub.finished(jobId, JobStatus.CANCELLED.name());
        } catch (Exception | OutOfMemoryError e) {
            LOG.warn("training job {} failed", jobId, e);
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            fail(jobId, runId, why.length() > 3900 ? why.substring(0, 3900) : why);
        }
    }

    private void onProgress(long jobId, long runId, Progress p, long[] lastPersist) {
        hub.publish(new ProgressHub.Update(jobId, p, JobStatus.RUNNING.name()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", p.trainLoss());
        if (p.evalLoss() != null) {
            metrics.put("eval_loss", p.evalLoss());
        }
        metrics.put("learning_rate", p.learningRate());
        metrics.put("grad_norm", p.gradNorm());
        metrics.put("tokens_per_s", p.tokensPerSecond());
        p.extra().forEach(metrics::putIfAbsent);
        metrics.values().removeIf(v -> !Double.isFinite(v));
        tracker.logMetrics(runId, p.step(), metrics);
        long now = System.currentTimeMillis();
        if (now - lastPersist[0] >= PERSIST_EVERY_MS || p.step() == p.totalSteps()) {
            lastPersist[0] = now;
            try {
                jobs.updateProgress(jobId, JSON.writeValueAsString(p));
            } catch (IOException e) {
                LOG.warn("progress of job {} not stored", jobId, e);
            }
        }
    }

    /**
     * Logs the artifacts, ends the run, registers the version and marks the job in one transaction;
     * a cancel that won the race wins.
     */
    private void finish(long jobId, long runId, TrainingResult result, Path cleaningReport) {
        String status = tx.executeWrite(s -> {
            TrainingJob job = jobs.findById(jobId).orElseThrow();
            if (job.status() != JobStatus.RUNNING) {
                tracker.endRun(runId, RunStatus.KILLED);
                return job.status().name();
            }
            tracker.logArtifact(runId, result.adapterDir(), "adapter");
            if (Files.isRegularFile(cleaningReport)) {
                tracker.logArtifact(runId, cleaningReport, "reports");
            }
            tracker.endRun(runId, RunStatus.FINISHED);
            if (adapters.findByName(job.adapterName()).isEmpty()) {
                registry.create(job.adapterName(), job.baseModel(), "trained by training job " + jobId,
                        job.createdBy());
            }
            VersionRef ref = registry.register(job.adapterName(), result.adapterDir().toUri().toString(), jobId,
                    "training job " + jobId + ": " + result.finalMetrics() + ", parity max |Δlogit| "
                            + result.parityMaxLogitDiff(), job.createdBy());
            jobs.update(job.succeeded(ref.version().number()));
            audit.record("system", "training-job.succeeded", "training-job:" + jobId, JobStatus.RUNNING.name(),
                    JobStatus.SUCCEEDED.name(), ref.subject());
            return JobStatus.SUCCEEDED.name();
        });
        hub.finished(jobId, status);
    }

    private void fail(long jobId, long runId, String why) {
        String status = tx.executeWrite(s -> {
            TrainingJob job = jobs.findById(jobId).orElseThrow();
            if (job.status().finished()) {
                tracker.endRun(runId, RunStatus.of(job.status()));
                return job.status().name();
            }
            tracker.endRun(runId, RunStatus.FAILED);
            jobs.update(job.withStatus(JobStatus.FAILED, why));
            audit.record("system", "training-job.failed", "training-job:" + jobId, job.status().name(),
                    JobStatus.FAILED.name(), why);
            return JobStatus.FAILED.name();
        });
        hub.finished(jobId, status);
    }

    private Path workDir(long jobId) {
        return store.dataDir().resolve("training").resolve("job-" + jobId);
    }

    /** Lets the running step finish and leaves the job RUNNING, so the next start resumes it. */
    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        worker.shutdown();
        if (!worker.awaitTermination(60, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
    }
}

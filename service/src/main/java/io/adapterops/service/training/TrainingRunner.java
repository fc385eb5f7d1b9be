package io.adapterops.service.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.datasets.DatasetUploads;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.mlflow.RunStatus;
import io.adapterops.service.mlflow.RunTracker;
import io.adapterops.service.jobs.BackgroundWorker;
import io.adapterops.service.jobs.Replica;
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
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.exceptions.OptimisticLockException;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs training jobs in this process, one at a time (PyTorch allows one gradient collector per
 * JVM). Replicas share the work through the job rows: a replica runs a job only after claiming it
 * (owner and lease, renewed by a heartbeat), and takes over a RUNNING job only when its holder's
 * lease ran out or it was its own before a restart; the job then resumes from its last checkpoint.
 * Progress and a user's cancel go through the row, so every replica sees and serves them. Success
 * registers a REGISTERED adapter version that points at the adapter folder; failure records why.
 *
 * <p>With a {@link TrainerFleet} (PostgreSQL and trainer nodes), a replica trains nothing itself: it
 * queues each job in the trainers' scheduler, and the node that Quartz fires it on runs it here, under
 * the same claim and lease. The heartbeat queues again any job that is in no node's hands (one a
 * stopping node left RUNNING, or one whose submit was lost with its replica).
 */
@Singleton
public class TrainingRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CANCEL_POLL_MS = 500;

    private final TrainingJobRepository jobs;
    private final DatasetVersionRepository datasetVersions;
    private final ModelStore store;
    private final AdapterRegistry registry;
    private final AdapterRepository adapters;
    private final AuditLog audit;
    private final Replica replica;
    private final TrainingFailures failures;
    private final Set<Long> local = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService heartbeat;
    private final TransactionOperations<Connection> tx;
    private final RunTracker tracker;
    private final DatasetUploads uploads;
    private final TrainerBackend backend;
    private final TrainerFleet fleet;
    private volatile boolean stopping;
    private final ExecutorService worker = BackgroundWorker.named("trainer");
    private final TrainingSpans spans;

    public TrainingRunner(TrainingJobRepository jobs, DatasetVersionRepository datasetVersions, ModelStore store,
                          AdapterRegistry registry, AdapterRepository adapters, AuditLog audit, Replica replica,
                          TransactionOperations<Connection> tx, RunTracker tracker, DatasetUploads uploads,
                          TrainerBackend backend, TrainingFailures failures, TrainingSpans spans,
                          @Nullable TrainerFleet fleet) {
        this.spans = spans;
        this.fleet = fleet;
        this.failures = failures;
        this.backend = backend;
        this.tracker = tracker;
        this.uploads = uploads;
        this.jobs = jobs;
        this.datasetVersions = datasetVersions;
        this.store = store;
        this.registry = registry;
        this.adapters = adapters;
        this.audit = audit;
        this.replica = replica;
        this.tx = tx;
    }

    /**
     * Queues a job: in the trainers' scheduler when there is a fleet, else here, where it runs only if
     * no other replica has taken it by then.
     */
    public void submit(long jobId) {
        if (fleet != null) {
            try {
                fleet.schedule(jobId);
            } catch (SchedulerException e) {
                LOG.warn("training job {} not queued in the trainers' scheduler yet; the heartbeat retries: {}",
                        jobId, e.toString());
            }
            return;
        }
        if (local.add(jobId)) {
            worker.submit(() -> {
                try {
                    claimAndRun(jobId);
                } finally {
                    local.remove(jobId);
                }
            });
        }
    }

    @EventListener
    void onStartup(StartupEvent event) {
        scan();
        heartbeat = replica.heartbeat("training-leases", this::beat);
    }

    /** Renews this replica's leases, and takes queued or abandoned jobs that no replica is running. */
    private void beat() {
        try {
            jobs.renew(replica.id(), Instant.now().plus(replica.lease()));
            scan();
        } catch (RuntimeException e) {
            LOG.warn("training-job heartbeat failed; retrying: {}", e.toString());
        }
    }

    private void scan() {
        if (stopping) {
            return;
        }
        if (fleet != null) {
            requeueOnFleet();
            return;
        }
        for (TrainingJob job : jobs.claimable(replica.id(), Instant.now())) {
            if (!local.contains(job.id())) {
                submit(job.id());
            }
        }
    }

    private void requeueOnFleet() {
        for (TrainingJob job : jobs.claimable(replica.id(), Instant.now())) {
            try {
                if (!fleet.holds(job.id())) {
                    LOG.info("training job {} is in no trainer node's hands; queueing it again", job.id());
                    fleet.schedule(job.id());
                }
            } catch (SchedulerException e) {
                LOG.warn("could not check training job {} in the trainers' scheduler: {}", job.id(), e.toString());
            }
        }
    }

    /**
     * Runs a job that the trainers' scheduler fired on this trainer node. A node that died a moment ago
     * may still hold the job's lease: the job waits for it to run out (one lease and a beat at most);
     * a holder that renews it is alive and keeps the job.
     */
    void runOnNode(long jobId) {
        long beat = Math.max(100, replica.lease().toMillis() / 3);
        Instant giveUp = Instant.now().plus(replica.lease()).plusMillis(beat);
        while (!stopping) {
            Instant now = Instant.now();
            String previous = jobs.findOwnerById(jobId).orElse(null);
            if (jobs.claim(jobId, replica.id(), now.plus(replica.lease()), now) == 1) {
                run(jobId, previous);
                return;
            }
            boolean open = jobs.findById(jobId).map(j -> !j.status().finished()).orElse(false);
            if (!open || now.isAfter(giveUp)) {
                if (open) {
                    LOG.info("training job {} is held by live node {}; leaving it there", jobId, previous);
                }
                return;
            }
            try {
                Thread.sleep(beat);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A trainer node stopping: the running job ends at its next step and stays resumable. */
    void stopTraining() {
        stopping = true;
    }

    private void claimAndRun(long jobId) {
        if (stopping) {
            return;
        }
        Instant now = Instant.now();
        String previous = jobs.findOwnerById(jobId).orElse(null);
        if (jobs.claim(jobId, replica.id(), now.plus(replica.lease()), now) != 1) {
            return;
        }
        spans.job(jobId, backend.host(), () -> run(jobId, previous));
    }

    private void run(long jobId, String previousOwner) {
        TrainingJob job = jobs.findById(jobId).orElseThrow();
        if (job.status().finished()) {
            return;
        }
        boolean resuming = job.status() == JobStatus.RUNNING;
        try {
            if (resuming) {
                audit.record("system", "training-job.interrupted", "training-job:" + jobId, JobStatus.RUNNING.name(),
                        JobStatus.RUNNING.name(), "replica " + previousOwner + " stopped while the job ran; "
                                + replica.id() + " resumes it from its last checkpoint");
            } else {
                TrainingJob queued = job;
                job = tx.executeWrite(s -> {
                    TrainingJob started = jobs.update(queued.withStatus(JobStatus.RUNNING, null));
                    audit.record("system", "training-job.started", "training-job:" + jobId, JobStatus.QUEUED.name(),
                            JobStatus.RUNNING.name(), "on " + backend.host() + " (replica " + replica.id() + ")");
                    return started;
                });
            }
        } catch (OptimisticLockException e) {
            return;
        }
        boolean[] resumeAudited = {!resuming};
        long runId = tracker.runFor(job, backend.host());
        CancelFlag cancel = new CancelFlag(jobId);
        try {
            DatasetVersion data = datasetVersions.findById(job.datasetVersionId()).orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> params = JSON.readValue(job.hyperparameters(), Map.class);
            TrainingRequest request = new TrainingRequest(store.baseModel(job.baseModel()), Path.of(data.path()),
                    workDir(jobId), TrainingConfig.fromMap(params), data.contentHash());
            TrainingResult result = spans.phase("train", () -> backend.train(jobId, request, p -> {
                if (!resumeAudited[0]) {
                    resumeAudited[0] = true;
                    audit.record("system", "training-job.resumed", "training-job:" + jobId, JobStatus.RUNNING.name(),
                            JobStatus.RUNNING.name(), "from step " + (p.step() - 1) + " of " + p.totalSteps());
                }
                onProgress(jobId, runId, p);
            }, cancel::isSet, () -> stopping));
            if (result.cancelled() && stopping && !cancel.isSet()) {
                return;
            }
            if (result.cancelled()) {
                tracker.endRun(runId, RunStatus.KILLED);
                return;
            }
            spans.phase("register", () -> finish(jobId, runId, result, uploads.reportPath(data)));
        } catch (OptimisticLockException e) {
            tracker.endRun(runId, RunStatus.KILLED);
        } catch (Exception | OutOfMemoryError e) {
            LOG.warn("training job {} failed", jobId, e);
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            spans.failed(why);
            fail(jobId, runId, why.length() > 3900 ? why.substring(0, 3900) : why);
        }
    }

    /**
     * A user's cancel, read from the job row (it may come through any replica); polled between
     * steps, so it is read at most every {@link #CANCEL_POLL_MS}.
     */
    private final class CancelFlag {
        private final long jobId;
        private long checkedAt;
        private boolean set;

        CancelFlag(long jobId) {
            this.jobId = jobId;
        }

        boolean isSet() {
            long now = System.currentTimeMillis();
            if (!set && now - checkedAt >= CANCEL_POLL_MS) {
                checkedAt = now;
                set = jobs.findById(jobId).map(j -> j.status() == JobStatus.CANCELLED).orElse(true);
            }
            return set;
        }
    }

    private void onProgress(long jobId, long runId, Progress p) {
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
        try {
            jobs.updateProgress(jobId, JSON.writeValueAsString(p));
        } catch (IOException e) {
            LOG.warn("progress of job {} not stored", jobId, e);
        }
    }

    /**
     * Logs the artifacts, ends the run, registers the version and marks the job in one transaction;
     * a cancel that won the race wins.
     */
    private void finish(long jobId, long runId, TrainingResult result, Path cleaningReport) {
        tx.executeWrite(s -> {
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
    }

    private void fail(long jobId, long runId, String why) {
        tx.executeWrite(s -> {
            TrainingJob job = jobs.findById(jobId).orElseThrow();
            if (job.status().finished()) {
                tracker.endRun(runId, RunStatus.of(job.status()));
                return job.status().name();
            }
            tracker.endRun(runId, RunStatus.FAILED);
            jobs.update(job.withStatus(JobStatus.FAILED, why));
            audit.record("system", "training-job.failed", "training-job:" + jobId, job.status().name(),
                    JobStatus.FAILED.name(), why);
            failures.failed(job);
            return JobStatus.FAILED.name();
        });
    }

    private Path workDir(long jobId) {
        return store.dataDir().resolve("training").resolve("job-" + jobId);
    }

    /**
     * Lets the running step finish and leaves the job RUNNING, so it resumes from its last
     * checkpoint: here at the next start, or at once on another replica (the lease is let go).
     */
    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        worker.shutdown();
        if (!worker.awaitTermination(60, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
        try {
            jobs.renew(replica.id(), Instant.now());
        } catch (RuntimeException e) {
            LOG.warn("could not let go of this replica's training-job leases: {}", e.toString());
        }
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.rollout.Rollout;
import io.adapterops.service.rollout.Rollouts;
import io.adapterops.service.routing.Route;
import io.adapterops.service.training.TrainingJob;
import io.adapterops.service.training.TrainingJobRepository;
import io.adapterops.service.training.TrainingJobs;
import io.adapterops.service.training.TrainingRunner;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the retraining of a route's champion: a new training job with the champion's own training
 * configuration (adapter, base model, objective, hyper-parameters) on the newest version of its
 * dataset (plus rows derived from the route's feedback where it opts in, {@link FeedbackDataset}),
 * and the rollout that takes its result through the gate, shadow and canary to approval
 * ({@link Rollouts}). One route has at most one rollout under way: a trigger while one runs is recorded
 * (it restarts the cool-down) and audited, but trains nothing new.
 */
@Singleton
public class RetrainingLauncher {
    static final String ACTOR = "monitor";

    private final TrainingJobRepository jobs;
    private final TrainingJobs trainingJobs;
    private final TrainingRunner runner;
    private final DatasetRepository datasets;
    private final JsonMapper json;
    private final Rollouts rollouts;
    private final FeedbackDataset feedbackData;
    private final AuditLog audit;
    private final MonitorMetrics metrics;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> tx;

    public RetrainingLauncher(TrainingJobRepository jobs, TrainingJobs trainingJobs, TrainingRunner runner,
                              DatasetRepository datasets, JsonMapper json, Rollouts rollouts, AuditLog audit,
                              MonitorMetrics metrics, JdbcOperations jdbc, TransactionOperations<Connection> tx,
                              FeedbackDataset feedbackData) {
        this.feedbackData = feedbackData;
        this.rollouts = rollouts;
        this.audit = audit;
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.tx = tx;
        this.jobs = jobs;
        this.trainingJobs = trainingJobs;
        this.runner = runner;
        this.datasets = datasets;
        this.json = json;
    }

    /** The training job that made the champion; empty when it was registered by hand (nothing to repeat). */
    public Optional<TrainingJob> sourceOf(VersionRef champion) {
        Long jobId = champion.version().trainingJobId();
        return jobId == null ? Optional.empty() : jobs.findById(jobId);
    }

    /**
     * Fires a retraining of {@code route}'s champion for {@code signal} ("satisfaction", "drift.…",
     * "routine"): in one transaction the trigger (the cool-down reads it), the training job and its
     * rollout, and one audit event with {@code reason} and what was started; the job is queued after commit.
     */
    public Optional<TrainingJob> fire(Route route, VersionRef champion, String signal, String reason, Instant now) {
        Optional<TrainingJob> source = sourceOf(champion);
        Optional<FeedbackDataset.Appended> feedback = rollouts.activeOn(route.name()).isPresent() ? Optional.empty()
                : source.flatMap(s -> feedbackData.append(route.name(), s, ACTOR));
        Optional<TrainingJob> job = tx.executeWrite(status -> {
            Optional<Rollout> running = rollouts.activeOn(route.name());
            Optional<TrainingJob> created = running.isPresent() ? Optional.empty()
                    : source.map(s -> create(s, feedback.map(f -> f.version().id()).orElse(null)));
            created.ifPresent(j -> rollouts.start(route.name(), j, reason));
            String what = running.map(r -> "; rollout " + r.id() + " is still under way (" + r.stage()
                            + "), so no new training starts")
                    .or(() -> created.map(j -> "; retraining " + champion.subject() + " as training job " + j.id()
                            + feedback.map(f -> " on " + f.version().contentHash() + " (" + f.summary() + ")")
                            .orElse("")))
                    .orElse("; " + champion.subject() + " was not trained here, so there is no configuration to "
                            + "repeat: train a candidate by hand");
            jdbc.prepareStatement("INSERT INTO retraining_trigger (route, signal, reason, training_job_id, fired_at) "
                    + "VALUES (?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, route.name());
                ps.setString(2, signal);
                ps.setString(3, truncate(reason + what));
                ps.setObject(4, created.map(TrainingJob::id).orElse(null));
                ps.setTimestamp(5, Timestamp.from(now));
                return ps.executeUpdate();
            });
            String action = created.isPresent() ? "route.retraining-fired"
                    : running.isPresent() ? "route.retraining-deferred" : "route.retraining-impossible";
            audit.record(ACTOR, action, "route:" + route.name(), null, null, reason + what);
            return created;
        });
        metrics.triggered(route.name(), signal);
        job.ifPresent(this::run);
        return job;
    }

    /** When {@code route} last fired a retraining, if ever (the cool-down starts there). */
    public Optional<Instant> lastTrigger(String route) {
        return Optional.ofNullable(tx.executeRead(status -> jdbc.prepareStatement(
                "SELECT MAX(fired_at) FROM retraining_trigger WHERE route = ?", ps -> {
                    ps.setString(1, route);
                    try (ResultSet rs = ps.executeQuery()) {
                        Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                        return t == null ? null : t.toInstant();
                    }
                })));
    }

    private static String truncate(String s) {
        return s.length() <= 4000 ? s : s.substring(0, 4000);
    }

    /**
     * Creates the job (in the caller's transaction) on {@code datasetVersionId}, or the dataset's newest
     * version when null; {@link #run} queues it after commit.
     */
    TrainingJob create(TrainingJob source, @Nullable Long datasetVersionId) {
        String dataset = datasets.findById(source.datasetId()).orElseThrow().name();
        Map<String, Object> hyperparameters;
        try {
            hyperparameters = json.readValue(source.hyperparameters(), Argument.mapOf(String.class, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("stored hyperparameters of training job " + source.id() + " are unreadable", e);
        }
        hyperparameters.remove("stage");
        return trainingJobs.create(source.adapterName(), source.baseModel(), dataset, datasetVersionId,
                source.objective(), hyperparameters, ACTOR);
    }

    private void run(TrainingJob job) {
        runner.submit(job.id());
    }
}

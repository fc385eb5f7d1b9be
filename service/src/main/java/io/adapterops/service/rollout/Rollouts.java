package io.adapterops.service.rollout;

import io.adapterops.monitoring.WindowSummary;
import io.adapterops.monitoring.canary.CanaryAnalysis;
import io.adapterops.monitoring.canary.CanaryVerdict;
import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.evaluation.EvaluationRun;
import io.adapterops.service.evaluation.EvaluationRunRepository;
import io.adapterops.service.evaluation.Evaluations;
import io.adapterops.service.monitoring.TrafficWindows;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionState;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.Route;
import io.adapterops.service.training.TrainingJob;
import io.adapterops.service.training.TrainingJobRepository;
import io.adapterops.service.web.ApiException;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Moves retrained candidates forward from their {@link Rollout} rows: a finished training job's
 * version is evaluated on the route's suites (the promotion gate decides, as for any candidate); a
 * version that passed goes to SHADOW on the route; once it and the champion have answered
 * {@code shadow-requests} of the same prompts with no signal worse, it goes to CANARY at
 * {@code canary-percent}. The canary's fate is {@link CanaryAnalyst}'s. Each lifecycle move and the
 * rollout's new stage commit together, and the move's audit event carries the numbers that caused
 * it. A rollout whose version was moved by hand, or whose training or evaluation failed, stops.
 */
@Singleton
public class Rollouts {
    public static final String ACTOR = "rollout";
    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);

    private final RolloutRepository rollouts;
    private final TrainingJobRepository jobs;
    private final EvaluationRunRepository runs;
    private final Evaluations evaluations;
    private final VersionTransitions transitions;
    private final TrafficWindows windows;
    private final RolloutSettings settings;
    private final CanaryMetrics metrics;
    private final AuditLog audit;
    private final TransactionOperations<Connection> tx;

    public Rollouts(RolloutRepository rollouts, TrainingJobRepository jobs, EvaluationRunRepository runs,
                    Evaluations evaluations, VersionTransitions transitions, TrafficWindows windows,
                    RolloutSettings settings, CanaryMetrics metrics, AuditLog audit,
                    TransactionOperations<Connection> tx) {
        this.rollouts = rollouts;
        this.jobs = jobs;
        this.runs = runs;
        this.evaluations = evaluations;
        this.transitions = transitions;
        this.windows = windows;
        this.settings = settings;
        this.metrics = metrics;
        this.audit = audit;
        this.tx = tx;
    }

    /** Starts the rollout of the candidate {@code job} will train, in the caller's transaction. */
    public Rollout start(String route, TrainingJob job, String reason) {
        Rollout r = rollouts.save(Rollout.started(route, job.id(), null, RolloutStage.TRAINING, reason, Instant.now()));
        audit.record(ACTOR, "rollout.started", subject(r), null, RolloutStage.TRAINING.name(), "training job "
                + job.id() + " (" + job.adapterName() + ") for route '" + route + "': " + reason);
        metrics.register(route);
        return r;
    }

    /** The active rollout on {@code route}, if one is under way. */
    public Optional<Rollout> activeOn(String route) {
        return rollouts.findFirstByRouteAndActiveTrue(route);
    }

    /** One step of every active rollout short of its canary; returns what it did, rollout by rollout. */
    public List<String> advanceAll(Instant now) {
        return rollouts.findByActiveTrueOrderById().stream()
                .filter(r -> r.stage() != RolloutStage.CANARY)
                .map(r -> {
                    try {
                        return subject(r) + ": " + advance(r, now);
                    } catch (RuntimeException e) {
                        LOG.warn("rollout {} could not advance; the next step retries", r.id(), e);
                        return subject(r) + ": not advanced (" + e.getMessage() + ")";
                    }
                }).toList();
    }

    String advance(Rollout r, Instant now) {
        return switch (r.stage()) {
            case TRAINING -> trained(r, now);
            case EVALUATING -> evaluated(r, now);
            case SHADOW -> shadowed(r, now);
            default -> "nothing to do in " + r.stage();
        };
    }

    private String trained(Rollout r, Instant now) {
        TrainingJob job = jobs.findById(r.trainingJobId()).orElseThrow();
        if (!job.status().finished()) {
            return "training job " + job.id() + " is " + job.status();
        }
        if (job.status() != TrainingJob.JobStatus.SUCCEEDED || job.adapterVersion() == null) {
            return stop(r, "training job " + job.id() + " ended " + job.status()
                    + (job.error() == null ? "" : ": " + job.error()), now);
        }
        VersionRef v = transitions.find(job.adapterName(), job.adapterVersion());
        // A step that died between starting the evaluation and recording it finds the run here and adopts it.
        Optional<EvaluationRun> started = runs.findByAdapterVersionIdOrderById(v.version().id()).stream()
                .reduce((a, b) -> b);
        EvaluationRun run;
        try {
            run = started.orElseGet(() -> evaluations.start(v.adapter().name(), v.version().number(),
                    settings.suitesFor(r.route()), r.route(), ACTOR));
        } catch (ApiException refused) {
            return stop(r, "the evaluation of " + v.subject() + " could not start: " + refused.getMessage(), now);
        }
        String why = "training job " + job.id() + " registered " + v.subject() + "; evaluation run " + run.id()
                + " on " + run.suites() + " against the champion of route '" + r.route() + "'";
        tx.executeWrite(status -> {
            Rollout next = rollouts.update(r.evaluating(v.version().id(), run.id(), why, now));
            audit.record(ACTOR, "rollout.evaluating", subject(next), r.stage().name(), next.stage().name(), why);
            return next;
        });
        return why;
    }

    private String evaluated(Rollout r, Instant now) {
        VersionRef v = transitions.byId(r.adapterVersionId());
        VersionState state = v.version().state();
        if (state == VersionState.REGISTERED) {
            EvaluationRun run = runs.findById(r.evaluationRunId()).orElseThrow();
            return run.status() == EvaluationRun.Status.FAILED
                    ? stop(r, "evaluation run " + run.id() + " of " + v.subject() + " failed: " + run.error(), now)
                    : "evaluation run " + run.id() + " is " + run.status();
        }
        if (state == VersionState.REJECTED) {
            return stop(r, v.subject() + " failed the promotion gate (evaluation run " + r.evaluationRunId() + ")", now);
        }
        if (state != VersionState.EVALUATED) {
            return movedByHand(r, v, now);
        }
        String reason = "rollout " + r.id() + ": passed the promotion gate (evaluation run " + r.evaluationRunId()
                + "); shadowing the champion of route '" + r.route() + "' for " + settings.getShadowRequests()
                + " requests";
        tx.executeWrite(status -> {
            transitions.shadow(v.adapter().name(), v.version().number(), r.route(), reason, ACTOR);
            return rollouts.update(r.at(RolloutStage.SHADOW, reason, now));
        });
        return reason;
    }

    private String shadowed(Rollout r, Instant now) {
        VersionRef v = transitions.byId(r.adapterVersionId());
        if (v.version().state() != VersionState.SHADOW) {
            return movedByHand(r, v, now);
        }
        Route route = transitions.route(r.route());
        if (route.championId() == null) {
            return stop(r, "route '" + r.route() + "' has no champion to compare " + v.subject() + " with", now);
        }
        Duration ran = Duration.between(r.stageSince(), now);
        if (ran.toMillis() < 1000) {
            return "shadow just started";
        }
        VersionRef champion = transitions.byId(route.championId());
        WindowSummary base = windows.summarize(r.route(), champion.adapter().name(), champion.version().number(), now,
                ran);
        WindowSummary shadow = windows.summarizeShadow(r.route(), v.adapter().name(), v.version().number(), now, ran);
        CanaryVerdict verdict = new CanaryAnalysis(settings.shadowPolicy(), settings.shadowSignalList())
                .analyse(r.route(), base.measurements(), shadow.measurements(), ran, settings.getShadowMaxDuration());
        String numbers = "shadow of " + v.subject() + " against champion " + champion.subject() + " since "
                + r.stageSince() + ": " + verdict.reason();
        switch (verdict.outcome()) {
            case PASS -> {
                if (route.challengerId() != null) {
                    return wait(r, "shadow passed, but route '" + r.route() + "' already has a challenger", now);
                }
                tx.executeWrite(status -> {
                    transitions.canary(v.adapter().name(), v.version().number(), settings.getCanaryPercent(),
                            "rollout " + r.id() + ": " + numbers, ACTOR);
                    return rollouts.update(r.at(RolloutStage.CANARY, numbers, now));
                });
                metrics.register(r.route());
                return "canary at " + settings.getCanaryPercent() + "%: " + numbers;
            }
            case FAIL -> {
                tx.executeWrite(status -> {
                    transitions.reject(v.adapter().name(), v.version().number(), "rollout " + r.id() + ": " + numbers,
                            ACTOR);
                    return rollouts.update(r.at(RolloutStage.STOPPED, numbers, now));
                });
                return "stopped: " + numbers;
            }
            default -> {
                return wait(r, numbers, now);
            }
        }
    }

    private String wait(Rollout r, String why, Instant now) {
        rollouts.update(r.waiting(why, now));
        return why;
    }

    private String movedByHand(Rollout r, VersionRef v, Instant now) {
        return stop(r, v.subject() + " was moved to " + v.version().state() + " outside the rollout", now);
    }

    /** Ends a rollout whose candidate cannot go on; the version keeps the state it has. */
    String stop(Rollout r, String why, Instant now) {
        tx.executeWrite(status -> {
            Rollout stopped = rollouts.update(r.at(RolloutStage.STOPPED, why, now));
            audit.record(ACTOR, "rollout.stopped", subject(stopped), r.stage().name(), RolloutStage.STOPPED.name(), why);
            return stopped;
        });
        return "stopped: " + why;
    }

    static String subject(Rollout r) {
        return "rollout:" + r.id();
    }
}

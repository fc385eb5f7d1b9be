package io.adapterops.service.training;

import io.adapterops.service.mlflow.TrackingMetric;
import io.adapterops.service.mlflow.TrackingMetricRepository;
import io.adapterops.service.mlflow.TrackingRun;
import io.adapterops.service.mlflow.TrackingRunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.Sort;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training curves per job in Prometheus: {@code adapterops_training_loss}, {@code _eval_loss},
 * {@code _learning_rate}, {@code _grad_norm}, {@code _tokens_per_second} and {@code _step}, tagged
 * {@code job_id} and {@code adapter} (not {@code job}: Prometheus owns that label). Values are the
 * last point of each metric the job's run logged in the database, read again every
 * {@code adapterops.training.metrics.refresh}, so every replica exports the same series wherever the
 * job runs (dashboards take {@code max} over instances). Running jobs are exported, and finished ones
 * for {@code adapterops.training.metrics.keep-finished} after they ended, so their final values stay
 * on the dashboard for a while and the series count stays bounded. {@code adapterops_training_jobs{status}}
 * counts queued and running jobs.
 */
@Singleton
public class TrainingMetrics {
    /** Micrometer name → the run metric it shows (the names RunTracker logs, as MLflow has them). */
    static final Map<String, String> CURVES = curves();
    static final String JOBS = "adapterops.training.jobs";
    static final String STEP = "adapterops.training.step";
    /** Finished jobs looked at: the newest ones; older ones have long passed keep-finished in practice. */
    private static final int MAX_RECENT = 50;
    private static final Logger LOG = LoggerFactory.getLogger(TrainingMetrics.class);

    private final TrainingJobRepository jobs;
    private final TrackingRunRepository runs;
    private final TrackingMetricRepository metrics;
    private final Duration keepFinished;
    private final Map<String, MultiGauge> gauges = new LinkedHashMap<>();
    private final MultiGauge step;
    private final MultiGauge active;

    public TrainingMetrics(MeterRegistry registry, TrainingJobRepository jobs, TrackingRunRepository runs,
                           TrackingMetricRepository metrics,
                           @Value("${adapterops.training.metrics.keep-finished:1h}") Duration keepFinished) {
        this.jobs = jobs;
        this.runs = runs;
        this.metrics = metrics;
        this.keepFinished = keepFinished;
        CURVES.forEach((name, runMetric) -> gauges.put(runMetric, MultiGauge.builder(name)
                .description("last logged " + runMetric + " of a training job").register(registry)));
        this.step = MultiGauge.builder(STEP).description("last logged step of a training job").register(registry);
        this.active = MultiGauge.builder(JOBS).description("training jobs queued or running").register(registry);
    }

    private static Map<String, String> curves() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("adapterops.training.loss", "train_loss");
        m.put("adapterops.training.eval.loss", "eval_loss");
        m.put("adapterops.training.learning.rate", "learning_rate");
        m.put("adapterops.training.grad.norm", "grad_norm");
        m.put("adapterops.training.tokens.per.second", "tokens_per_s");
        return m;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        refresh();
    }

    @Scheduled(fixedDelay = "${adapterops.training.metrics.refresh:15s}", initialDelay = "${adapterops.training.metrics.refresh:15s}")
    void scheduledRefresh() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("training metrics not refreshed", e);
        }
    }

    /** Reads the recent jobs' last logged values and replaces every row of the gauges with them. */
    public void refresh() {
        Instant since = Instant.now().minus(keepFinished);
        Map<String, List<MultiGauge.Row<?>>> rows = new LinkedHashMap<>();
        gauges.keySet().forEach(k -> rows.put(k, new ArrayList<>()));
        List<MultiGauge.Row<?>> steps = new ArrayList<>();
        List<TrainingJob> unfinished = jobs.findByStatusInOrderById(
                List.of(TrainingJob.JobStatus.QUEUED, TrainingJob.JobStatus.RUNNING));
        Map<Long, TrainingJob> shown = new LinkedHashMap<>();
        unfinished.forEach(j -> shown.put(j.id(), j));
        for (TrainingJob job : jobs.findAll(Pageable.from(0, MAX_RECENT, Sort.of(Sort.Order.desc("id")))).getContent()) {
            if (job.status().finished() && !job.updatedAt().isBefore(since)) {
                shown.putIfAbsent(job.id(), job);
            }
        }
        for (TrainingJob job : shown.values()) {
            TrackingRun run = runs.findFirstByTrainingJobIdOrderByIdDesc(job.id()).orElse(null);
            if (run == null) {
                continue;
            }
            Tags tags = Tags.of("job_id", String.valueOf(job.id()), "adapter", job.adapterName());
            long lastStep = -1;
            for (TrackingMetric point : metrics.latest(run.id())) {
                List<MultiGauge.Row<?>> forMetric = rows.get(point.name());
                if (forMetric != null) {
                    forMetric.add(MultiGauge.Row.of(tags, point.val()));
                    lastStep = Math.max(lastStep, point.step());
                }
            }
            if (lastStep >= 0) {
                steps.add(MultiGauge.Row.of(tags, lastStep));
            }
        }
        rows.forEach((runMetric, r) -> gauges.get(runMetric).register(r, true));
        step.register(steps, true);
        long running = unfinished.stream().filter(j -> j.status() == TrainingJob.JobStatus.RUNNING).count();
        active.register(List.of(MultiGauge.Row.of(Tags.of("status", "queued"), unfinished.size() - running),
                MultiGauge.Row.of(Tags.of("status", "running"), running)), true);
    }
}

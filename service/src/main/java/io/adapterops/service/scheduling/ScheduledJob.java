package io.adapterops.service.scheduling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * A job that Quartz runs on a schedule (a bean: {@link SchedulerLifecycle} schedules every one).
 * Each execution is recorded in {@code scheduler_run} and counted as
 * {@code adapterops_scheduler_job_runs_total{job, outcome}}; a failure is recorded, not rethrown, so
 * the trigger keeps its schedule. Never two executions of one job at once, across the cluster.
 */
@DisallowConcurrentExecution
public abstract class ScheduledJob implements Job {
    static final String RUNS = "adapterops.scheduler.job.runs";
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledJob.class);
    private static final int MAX_DETAIL = 4000;

    private final SchedulerRunRepository runs;
    private final MeterRegistry meters;

    protected ScheduledJob(SchedulerRunRepository runs, MeterRegistry meters) {
        this.runs = runs;
        this.meters = meters;
    }

    /** The job's name: its Quartz identity, its metric tag and its configuration key. */
    public abstract String name();

    /** Quartz cron expression used unless {@code adapterops.scheduler.jobs.<name>.cron} is set. */
    public abstract String defaultCron();

    /** Does the work for one fire time; returns what it did, for the run record. */
    protected abstract String run(Instant fireTime) throws Exception;

    @Override
    public final void execute(JobExecutionContext context) {
        Instant fireTime = context.getScheduledFireTime().toInstant();
        SchedulerRun run = runs.save(new SchedulerRun(null, name(), fireTime, instance(context), Instant.now(), null,
                SchedulerRun.Outcome.RUNNING, null));
        try {
            String detail = run(fireTime);
            runs.update(run.ended(SchedulerRun.Outcome.SUCCEEDED, truncate(detail)));
            counter(SchedulerRun.Outcome.SUCCEEDED).increment();
        } catch (Exception e) {
            LOG.warn("scheduled job {} failed for fire time {}", name(), fireTime, e);
            runs.update(run.ended(SchedulerRun.Outcome.FAILED, truncate(String.valueOf(e.getMessage()))));
            counter(SchedulerRun.Outcome.FAILED).increment();
        }
    }

    Counter counter(SchedulerRun.Outcome outcome) {
        return Counter.builder(RUNS).tag("scheduled_job", name()).tag("outcome", outcome.name().toLowerCase())
                .description("Executions of scheduled jobs on this replica, by outcome").register(meters);
    }

    private static String instance(JobExecutionContext context) {
        try {
            return context.getScheduler().getSchedulerInstanceId();
        } catch (SchedulerException e) {
            return "unknown";
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL);
    }
}

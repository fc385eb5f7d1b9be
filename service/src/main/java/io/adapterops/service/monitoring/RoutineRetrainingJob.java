package io.adapterops.service.monitoring;

import io.adapterops.service.scheduling.ScheduledJob;
import io.adapterops.service.scheduling.SchedulerRunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Instant;

/**
 * Daily at 03:00 (cluster-wide, once): fires the routine retrainings that are due. The interval
 * itself ({@code adapterops.monitoring.routine-interval}, 90 days) is counted per route from the
 * database; the cron only says how often that is looked at.
 */
@Singleton
public class RoutineRetrainingJob extends ScheduledJob {
    private final RoutineRetraining routine;

    public RoutineRetrainingJob(SchedulerRunRepository runs, MeterRegistry meters, RoutineRetraining routine) {
        super(runs, meters);
        this.routine = routine;
    }

    @Override
    public String name() {
        return "routine-retraining";
    }

    @Override
    public String defaultCron() {
        return "0 0 3 * * ?";
    }

    @Override
    protected String run(Instant fireTime) {
        return String.join("\n", routine.fireDue(Instant.now()));
    }
}

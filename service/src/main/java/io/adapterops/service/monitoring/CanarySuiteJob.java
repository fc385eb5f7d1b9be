package io.adapterops.service.monitoring;

import io.adapterops.service.scheduling.ScheduledJob;
import io.adapterops.service.scheduling.SchedulerRunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Instant;

/** Hourly (cluster-wide, once): every route's champion answers its canary suite; the score feeds the monitor. */
@Singleton
public class CanarySuiteJob extends ScheduledJob {
    private final CanarySuiteScores scores;

    public CanarySuiteJob(SchedulerRunRepository runs, MeterRegistry meters, CanarySuiteScores scores) {
        super(runs, meters);
        this.scores = scores;
    }

    @Override
    public String name() {
        return "canary-suite";
    }

    @Override
    public String defaultCron() {
        return "0 0 * * * ?";
    }

    @Override
    protected String run(Instant fireTime) {
        return String.join("; ", scores.scoreChampions(Instant.now()));
    }
}

package io.adapterops.service.rollout;

import io.adapterops.service.scheduling.ScheduledJob;
import io.adapterops.service.scheduling.SchedulerRunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;

/** Every hour (cluster-wide, once): the canary analysis of every rollout in CANARY. */
@Singleton
public class CanaryAnalysisJob extends ScheduledJob {
    private final CanaryAnalyst analyst;

    public CanaryAnalysisJob(SchedulerRunRepository runs, MeterRegistry meters, CanaryAnalyst analyst) {
        super(runs, meters);
        this.analyst = analyst;
    }

    @Override
    public String name() {
        return "canary-analysis";
    }

    @Override
    public String defaultCron() {
        return "0 0 * * * ?";
    }

    @Override
    protected String run(Instant fireTime) {
        List<String> done = analyst.analyseAll(Instant.now());
        return done.isEmpty() ? "no canary under way" : String.join("\n", done);
    }
}

package io.adapterops.service.rollout;

import io.adapterops.service.scheduling.ScheduledJob;
import io.adapterops.service.scheduling.SchedulerRunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;

/** Every 30 seconds (cluster-wide, once): one step of every rollout short of its canary. */
@Singleton
public class RolloutJob extends ScheduledJob {
    private final Rollouts rollouts;

    public RolloutJob(SchedulerRunRepository runs, MeterRegistry meters, Rollouts rollouts) {
        super(runs, meters);
        this.rollouts = rollouts;
    }

    @Override
    public String name() {
        return "rollout";
    }

    @Override
    public String defaultCron() {
        return "0/30 * * * * ?";
    }

    @Override
    protected String run(Instant fireTime) {
        List<String> done = rollouts.advanceAll(Instant.now());
        return done.isEmpty() ? "no rollout under way" : String.join("\n", done);
    }
}

package io.adapterops.service.scheduling;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Instant;

/** A job that fires every second and fails when told to: the scheduler's own behaviour under test. */
@Singleton
@Requires(property = "test.scheduler.probe", value = "true")
class ProbeJob extends ScheduledJob {
    static volatile boolean failing;

    ProbeJob(SchedulerRunRepository runs, MeterRegistry meters) {
        super(runs, meters);
    }

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public String defaultCron() {
        return "* * * * * ?";
    }

    @Override
    protected String run(Instant fireTime) {
        if (failing) {
            throw new IllegalStateException("probe told to fail at " + fireTime);
        }
        return "probed " + fireTime;
    }
}

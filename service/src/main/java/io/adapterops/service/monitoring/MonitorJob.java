package io.adapterops.service.monitoring;

import io.adapterops.monitoring.Assessment;
import io.adapterops.service.scheduling.ScheduledJob;
import io.adapterops.service.scheduling.SchedulerRunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;

/** Every minute (cluster-wide, once): the retraining rule on every route's champion. */
@Singleton
public class MonitorJob extends ScheduledJob {
    private final RouteMonitor monitor;

    public MonitorJob(SchedulerRunRepository runs, MeterRegistry meters, RouteMonitor monitor) {
        super(runs, meters);
        this.monitor = monitor;
    }

    @Override
    public String name() {
        return "monitor";
    }

    @Override
    public String defaultCron() {
        return "0 * * * * ?";
    }

    @Override
    protected String run(Instant fireTime) {
        List<Assessment> assessed = monitor.checkAll(Instant.now());
        long fired = assessed.stream().filter(a -> a.fired().isPresent()).count();
        return assessed.size() + " route(s) assessed, " + fired + " retraining(s) fired";
    }
}

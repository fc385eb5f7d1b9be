package io.adapterops.service.training;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * {@code adapterops_training_failures_total{trigger}}: failed training jobs, told apart by who asked
 * for them ({@code retraining} when the monitor fired them, {@code user} otherwise), so an alert can
 * page for a retraining that failed. Registered at start-up, so the series exist before any failure.
 */
@Singleton
public class TrainingFailures {
    static final String METER = "adapterops.training.failures";
    private static final String MONITOR = "monitor";
    private final MeterRegistry registry;

    public TrainingFailures(MeterRegistry registry) {
        this.registry = registry;
    }

    @EventListener
    void register(StartupEvent event) {
        counter("retraining");
        counter("user");
    }

    void failed(TrainingJob job) {
        counter(MONITOR.equals(job.createdBy()) ? "retraining" : "user").increment();
    }

    private Counter counter(String trigger) {
        return Counter.builder(METER).tag("trigger", trigger).description("Training jobs that failed, by who asked")
                .register(registry);
    }
}

package io.adapterops.service.mlflow;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * Exports the MLflow backlog as {@code adapterops_mlflow_outbox_pending}, counted in the database at
 * each scrape so it is right in every mode, misconfigured included. Registered at start-up so the
 * series exists before the first write.
 */
@Singleton
public class OutboxBacklogGauge {
    static final String METER = "adapterops.mlflow.outbox.pending";
    private final MeterRegistry registry;
    private final MlflowOutbox outbox;

    public OutboxBacklogGauge(MeterRegistry registry, MlflowOutbox outbox) {
        this.registry = registry;
        this.outbox = outbox;
    }

    @EventListener
    void register(StartupEvent event) {
        Gauge.builder(METER, outbox, MlflowOutbox::pending)
                .description("MLflow writes waiting in the outbox")
                .register(registry);
    }
}

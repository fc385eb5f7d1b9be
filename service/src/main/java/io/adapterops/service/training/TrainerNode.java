package io.adapterops.service.training;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.quartz.SchedulerException;

/**
 * Makes this process a trainer node ({@code adapterops.fleet.node}, what {@code ./adapterops worker}
 * starts when it has database settings): it runs the training jobs of the trainers' scheduler. At
 * shutdown the running job stops at its next step and stays RUNNING, so another node (or this one,
 * restarted) resumes it from its last checkpoint.
 */
@Singleton
@Requires(property = "adapterops.fleet.node", value = "true")
class TrainerNode {
    private final TrainerFleet fleet;
    private final TrainingRunner runner;

    TrainerNode(@Nullable TrainerFleet fleet, TrainingRunner runner) {
        if (fleet == null) {
            throw new ConfigurationException("adapterops.fleet.node needs adapterops.fleet.enabled "
                    + "(ADAPTEROPS_FLEET=true) as well, on PostgreSQL");
        }
        this.fleet = fleet;
        this.runner = runner;
    }

    @EventListener
    void start(StartupEvent event) throws SchedulerException {
        fleet.start();
    }

    @EventListener
    void stop(ShutdownEvent event) throws SchedulerException {
        runner.stopTraining();
        fleet.stop();
    }
}

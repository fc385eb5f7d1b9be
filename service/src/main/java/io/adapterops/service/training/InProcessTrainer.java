package io.adapterops.service.training;

import io.adapterops.trainer.Trainer;
import io.adapterops.trainer.TrainingListener;
import io.adapterops.trainer.TrainingRequest;
import io.adapterops.trainer.TrainingResult;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.function.BooleanSupplier;

/** The embedded default: the trainer runs in the service's JVM, on the CPU or a local GPU. */
@Singleton
@Requires(missingProperty = "adapterops.trainer.url")
public class InProcessTrainer implements TrainerBackend {
    @Override
    public TrainingResult train(long jobId, TrainingRequest request, TrainingListener listener,
                                BooleanSupplier cancelled, BooleanSupplier stopping) {
        return new Trainer().train(request, listener, () -> cancelled.getAsBoolean() || stopping.getAsBoolean());
    }

    @Override
    public String host() {
        return System.getenv().getOrDefault("HOSTNAME", "localhost") + " (in-process)";
    }
}

package io.adapterops.service.training;

import io.adapterops.trainer.TrainingListener;
import io.adapterops.trainer.TrainingRequest;
import io.adapterops.trainer.TrainingResult;

import java.util.function.BooleanSupplier;

/**
 * Where a job trains: in this process, or on a trainer worker over HTTP. {@code cancelled} is a
 * user's cancel; {@code stopping} is this service shutting down, which must leave the job
 * resumable (a result with {@code cancelled() == true} is returned either way).
 */
public interface TrainerBackend {
    TrainingResult train(long jobId, TrainingRequest request, TrainingListener listener, BooleanSupplier cancelled,
                         BooleanSupplier stopping);

    /** Where jobs run, for the MLflow run's tags. */
    String host();
}

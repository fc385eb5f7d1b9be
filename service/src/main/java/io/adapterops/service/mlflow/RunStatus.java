package io.adapterops.service.mlflow;

import io.adapterops.service.training.TrainingJob.JobStatus;

/** MLflow's run states; a finished training job ends its run in the matching one. */
public enum RunStatus {
    RUNNING, FINISHED, FAILED, KILLED;

    public static RunStatus of(JobStatus job) {
        return switch (job) {
            case QUEUED, RUNNING -> RUNNING;
            case SUCCEEDED -> FINISHED;
            case FAILED -> FAILED;
            case CANCELLED -> KILLED;
        };
    }
}

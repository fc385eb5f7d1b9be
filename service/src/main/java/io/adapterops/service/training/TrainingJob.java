package io.adapterops.service.training;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.Version;

import java.time.Instant;

/** A request to train an adapter on a dataset; the runner and the user may both change it, hence the lock. */
@MappedEntity("training_job")
public record TrainingJob(
        @Id @GeneratedValue @Nullable Long id,
        String adapterName,
        String baseModel,
        long datasetId,
        @Nullable Long datasetVersionId,
        Objective objective,
        String hyperparameters,
        JobStatus status,
        @Nullable String error,
        @Nullable String progress,
        @Nullable Integer adapterVersion,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        @Version @Nullable Long version) {

    public enum Objective { SFT, DPO }

    public enum JobStatus {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    public TrainingJob withStatus(JobStatus next, @Nullable String why) {
        return new TrainingJob(id, adapterName, baseModel, datasetId, datasetVersionId, objective, hyperparameters, next,
                why, progress, adapterVersion, createdBy, createdAt, Instant.now(), version);
    }

    public TrainingJob succeeded(int registeredVersion) {
        return new TrainingJob(id, adapterName, baseModel, datasetId, datasetVersionId, objective, hyperparameters,
                JobStatus.SUCCEEDED, null, progress, registeredVersion, createdBy, createdAt, Instant.now(), version);
    }
}

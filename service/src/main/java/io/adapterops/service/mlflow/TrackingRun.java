package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/**
 * A tracked run as AdapterOps records it, in both modes. The {@code mlflow*} fields are filled once
 * MLflow has created the run; {@code uid} is the tag that finds it again if that answer was lost.
 */
@MappedEntity("tracking_run")
public record TrackingRun(
        @Id @GeneratedValue @Nullable Long id,
        String uid,
        String experiment,
        @Nullable Long trainingJobId,
        String name,
        RunStatus status,
        Instant startTime,
        @Nullable Instant endTime,
        @Nullable String mlflowExperimentId,
        @Nullable String mlflowRunId,
        @Nullable String mlflowArtifactUri) {
}

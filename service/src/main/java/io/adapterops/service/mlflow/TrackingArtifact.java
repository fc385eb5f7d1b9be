package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** A file logged to a run, by its path inside the run's artifacts. */
@MappedEntity("tracking_artifact")
public record TrackingArtifact(@Id @GeneratedValue @Nullable Long id, long runId, String path, long size) {
}

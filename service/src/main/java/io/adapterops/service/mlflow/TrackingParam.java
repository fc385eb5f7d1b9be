package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** A run parameter; like MLflow, once logged its value cannot change. */
@MappedEntity("tracking_param")
public record TrackingParam(@Id @GeneratedValue @Nullable Long id, long runId, String name, String val) {
}

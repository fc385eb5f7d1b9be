package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** A run tag; setting it again overwrites it, as in MLflow. */
@MappedEntity("tracking_tag")
public record TrackingTag(@Id @GeneratedValue @Nullable Long id, long runId, String name, String val) {
}

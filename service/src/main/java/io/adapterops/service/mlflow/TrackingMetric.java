package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** One logged metric point; {@code loggedAt} is epoch milliseconds, as MLflow keeps it. */
@MappedEntity("tracking_metric")
public record TrackingMetric(
        @Id @GeneratedValue @Nullable Long id,
        long runId,
        String name,
        double val,
        long step,
        long loggedAt) {
}

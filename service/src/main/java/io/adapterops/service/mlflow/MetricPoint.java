package io.adapterops.service.mlflow;

import io.micronaut.serde.annotation.Serdeable;

/**
 * One metric value as MLflow keys it. The timestamp is fixed when the point is recorded, never when
 * it is sent: MLflow's SQL store treats (key, value, step, timestamp) as the point's identity and
 * drops an identical point logged again, so re-sending a batch after a crash cannot duplicate it.
 */
@Serdeable
public record MetricPoint(String key, double value, long step, long timestamp) {
}

package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** Where an alias of an adapter's registered model points, as last sent (or to be sent) to MLflow. */
@MappedEntity("mlflow_alias")
public record ModelAlias(@Id @GeneratedValue @Nullable Long id, String adapter, String alias, int number) {
}

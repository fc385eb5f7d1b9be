package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A named line of adapters for one base model (like an MLflow registered model). */
@MappedEntity("adapter")
public record Adapter(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        String baseModel,
        @Nullable String description,
        String createdBy,
        Instant createdAt) {
}

package io.adapterops.service.datasets;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A named collection of training examples in one format; its content lives in {@link DatasetVersion}s. */
@MappedEntity("dataset")
public record Dataset(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        @Nullable String description,
        DatasetFormat format,
        String createdBy,
        Instant createdAt) {
}

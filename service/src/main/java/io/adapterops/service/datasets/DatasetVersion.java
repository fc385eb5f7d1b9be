package io.adapterops.service.datasets;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** An immutable cleaned snapshot of a dataset, named by the SHA-256 of its content. */
@MappedEntity("dataset_version")
public record DatasetVersion(
        @Id @GeneratedValue @Nullable Long id,
        long datasetId,
        String contentHash,
        long rowCount,
        String path,
        String createdBy,
        Instant createdAt) {
}

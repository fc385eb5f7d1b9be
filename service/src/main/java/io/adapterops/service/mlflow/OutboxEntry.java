package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/**
 * One pending write to MLflow. Rows of a stream (one run, one registered model) are sent in id
 * order; {@code attempts} is raised before each try, so a row with attempts &gt; 0 may already have
 * reached MLflow and its create calls look before they create.
 */
@MappedEntity("mlflow_outbox")
public record OutboxEntry(
        @Id @GeneratedValue @Nullable Long id,
        String stream,
        OutboxKind kind,
        String payload,
        int attempts,
        Instant nextAttemptAt,
        @Nullable Instant claimedUntil,
        @Nullable String lastError,
        @Nullable Instant failedAt,
        Instant createdAt) {
}

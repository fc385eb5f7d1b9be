package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** The outcome of evaluating a version: whether it passed the gate, its scores (JSON) and why. */
@MappedEntity("evaluation")
public record Evaluation(
        @Id @GeneratedValue @Nullable Long id,
        long adapterVersionId,
        boolean passed,
        String scores,
        @Nullable String reason,
        String createdBy,
        Instant createdAt) {
}

package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.Version;

import java.time.Instant;

/**
 * One trained adapter, numbered within its adapter. Its state moves only through {@link Lifecycle};
 * {@code version} is the optimistic lock that makes two racing operators collide instead of both winning.
 */
@MappedEntity("adapter_version")
public record AdapterVersion(
        @Id @GeneratedValue @Nullable Long id,
        long adapterId,
        int number,
        VersionState state,
        String artifactUri,
        @Nullable Long trainingJobId,
        @Nullable String description,
        @Nullable String routeName,
        @Nullable String requestedBy,
        @Nullable Long baselineChampionId,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        @Version @Nullable Long version) {

    public AdapterVersion withState(VersionState next) {
        return new AdapterVersion(id, adapterId, number, next, artifactUri, trainingJobId, description, routeName,
                requestedBy, baselineChampionId, createdBy, createdAt, Instant.now(), version);
    }

    public AdapterVersion onRoute(@Nullable String route) {
        return new AdapterVersion(id, adapterId, number, state, artifactUri, trainingJobId, description, route,
                requestedBy, baselineChampionId, createdBy, createdAt, updatedAt, version);
    }

    public AdapterVersion requested(String by, @Nullable Long baseline) {
        return new AdapterVersion(id, adapterId, number, state, artifactUri, trainingJobId, description, routeName,
                by, baseline, createdBy, createdAt, updatedAt, version);
    }
}

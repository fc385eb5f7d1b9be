package io.adapterops.service.routing;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A period during which a version was a route's champion; rollback walks these backwards. */
@MappedEntity("champion_stint")
public record ChampionStint(
        @Id @GeneratedValue @Nullable Long id,
        long routeId,
        long adapterVersionId,
        Instant startedAt,
        @Nullable Instant endedAt,
        @Nullable String endReason) {

    public ChampionStint ended(String reason) {
        return new ChampionStint(id, routeId, adapterVersionId, startedAt, Instant.now(), reason);
    }
}

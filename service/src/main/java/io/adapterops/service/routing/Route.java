package io.adapterops.service.routing;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.Version;

import java.time.Instant;

/**
 * A named endpoint (e.g. {@code support-bot}): one champion answers, at most one challenger takes
 * {@code challengerPercent} of traffic, shadows (in {@link RouteShadow}) see mirrored requests.
 * {@code maxPromptTokens}/{@code maxNewTokens} bound each inference request (null: the service's
 * defaults, {@code adapterops.serving.*}). Every change bumps {@code version}, so concurrent
 * promotions on one route collide.
 */
@MappedEntity("route")
public record Route(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        String baseModel,
        @Nullable String description,
        @Nullable Long championId,
        @Nullable Long challengerId,
        int challengerPercent,
        @Nullable Integer maxPromptTokens,
        @Nullable Integer maxNewTokens,
        String createdBy,
        Instant createdAt,
        @Version @Nullable Long version) {

    public Route withChampion(@Nullable Long champion) {
        return new Route(id, name, baseModel, description, champion, challengerId, challengerPercent, maxPromptTokens,
                maxNewTokens, createdBy, createdAt, version);
    }

    public Route withChallenger(@Nullable Long challenger, int percent) {
        return new Route(id, name, baseModel, description, championId, challenger, challenger == null ? 0 : percent,
                maxPromptTokens, maxNewTokens, createdBy, createdAt, version);
    }

    public Route withLimits(@Nullable Integer promptTokens, @Nullable Integer newTokens) {
        return new Route(id, name, baseModel, description, championId, challengerId, challengerPercent, promptTokens,
                newTokens, createdBy, createdAt, version);
    }
}

package io.adapterops.service.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A bearer token of the API. Only the SHA-256 of the secret is stored. */
@MappedEntity("api_token")
public record ApiToken(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        String tokenHash,
        String roles,
        String createdBy,
        Instant createdAt,
        @Nullable Instant revokedAt) {

    public ApiToken revoked(Instant at) {
        return new ApiToken(id, name, tokenHash, roles, createdBy, createdAt, at);
    }
}

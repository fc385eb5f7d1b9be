package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;

/**
 * Published inside the transaction of every lifecycle move, so a synchronous listener (e.g. the
 * MLflow outbox) writes in the same transaction and commits or rolls back with the move.
 */
public record VersionMoved(String adapter, int version, String artifactUri, VersionState from, VersionState to,
                           Action action, @Nullable String route, String actor, @Nullable String reason) {
}

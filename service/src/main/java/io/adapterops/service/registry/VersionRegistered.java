package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;

/** Published inside the registering transaction (see {@link VersionMoved}). */
public record VersionRegistered(String adapter, int version, String artifactUri, @Nullable Long trainingJobId,
                                @Nullable String description, String actor) {
}

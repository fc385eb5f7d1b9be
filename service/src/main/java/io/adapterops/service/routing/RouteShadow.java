package io.adapterops.service.routing;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** A version that receives a mirror of a route's traffic; its answers are recorded, never returned. */
@MappedEntity("route_shadow")
public record RouteShadow(@Id @GeneratedValue @Nullable Long id, long routeId, long adapterVersionId) {
}

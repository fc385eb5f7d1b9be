package io.adapterops.service.routing;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface RouteShadowRepository extends GenericRepository<RouteShadow, Long> {
    RouteShadow save(RouteShadow shadow);

    List<RouteShadow> findByRouteIdOrderById(long routeId);

    void deleteByRouteIdAndAdapterVersionId(long routeId, long adapterVersionId);
}

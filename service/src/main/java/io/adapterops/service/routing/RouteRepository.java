package io.adapterops.service.routing;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface RouteRepository extends GenericRepository<Route, Long> {
    Route save(Route route);

    Route update(Route route);

    Optional<Route> findByName(String name);

    boolean existsByName(String name);

    List<Route> findByChampionIdOrderById(Long championId);

    Page<Route> findAll(Pageable pageable);

    List<Route> findByChampionIdIsNotNullOrderById();
}

package io.adapterops.service.routing;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ChampionStintRepository extends GenericRepository<ChampionStint, Long> {
    ChampionStint save(ChampionStint stint);

    ChampionStint update(ChampionStint stint);

    Optional<ChampionStint> findByRouteIdAndEndedAtIsNull(long routeId);

    /** Newest first. */
    List<ChampionStint> findByRouteIdOrderByIdDesc(long routeId);

    boolean existsByRouteId(long routeId);
}

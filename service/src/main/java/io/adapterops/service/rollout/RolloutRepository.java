package io.adapterops.service.rollout;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface RolloutRepository extends GenericRepository<Rollout, Long> {
    Rollout save(Rollout rollout);

    Rollout update(Rollout rollout);

    Optional<Rollout> findById(Long id);

    List<Rollout> findByActiveTrueOrderById();

    List<Rollout> findByActiveTrueAndStageOrderById(RolloutStage stage);

    Optional<Rollout> findFirstByRouteAndActiveTrue(String route);

    /** Newest first. */
    List<Rollout> findByRouteOrderByIdDesc(String route);
}

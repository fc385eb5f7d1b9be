package io.adapterops.service.mlflow;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrackingParamRepository extends GenericRepository<TrackingParam, Long> {
    TrackingParam save(TrackingParam param);

    Optional<TrackingParam> findByRunIdAndName(long runId, String name);

    List<TrackingParam> findByRunIdOrderByName(long runId);
}

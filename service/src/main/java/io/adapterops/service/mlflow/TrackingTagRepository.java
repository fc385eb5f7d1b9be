package io.adapterops.service.mlflow;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrackingTagRepository extends GenericRepository<TrackingTag, Long> {
    TrackingTag save(TrackingTag tag);

    TrackingTag update(TrackingTag tag);

    Optional<TrackingTag> findByRunIdAndName(long runId, String name);

    List<TrackingTag> findByRunIdOrderByName(long runId);
}

package io.adapterops.service.mlflow;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrackingArtifactRepository extends GenericRepository<TrackingArtifact, Long> {
    TrackingArtifact save(TrackingArtifact artifact);

    TrackingArtifact update(TrackingArtifact artifact);

    Optional<TrackingArtifact> findByRunIdAndPath(long runId, String path);

    List<TrackingArtifact> findByRunIdOrderByPath(long runId);
}

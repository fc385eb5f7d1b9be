package io.adapterops.service.mlflow;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrackingRunRepository extends GenericRepository<TrackingRun, Long> {
    TrackingRun save(TrackingRun run);

    Optional<TrackingRun> findById(Long id);

    Page<TrackingRun> findAll(Pageable pageable);

    Page<TrackingRun> findByExperiment(String experiment, Pageable pageable);

    Optional<TrackingRun> findFirstByTrainingJobIdOrderByIdDesc(Long trainingJobId);

    // Targeted updates: the runner and the outbox sender write different columns of the same row.
    @Query("UPDATE tracking_run SET status = :status, end_time = :endTime WHERE id = :id")
    void finish(long id, String status, Instant endTime);

    @Query("UPDATE tracking_run SET mlflow_experiment_id = :experimentId, mlflow_run_id = :runId, "
            + "mlflow_artifact_uri = :artifactUri WHERE id = :id")
    void linkMlflow(long id, String experimentId, String runId, String artifactUri);
}

package io.adapterops.service.mlflow;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrackingMetricRepository extends GenericRepository<TrackingMetric, Long> {
    List<TrackingMetric> saveAll(Iterable<TrackingMetric> metrics);

    @Query("SELECT * FROM tracking_metric WHERE run_id = :runId AND name = :name ORDER BY step, logged_at, id")
    List<TrackingMetric> history(long runId, String name);

    List<TrackingMetric> findByRunIdAndStep(long runId, long step);

    /** The last point logged for each metric of the run. */
    @Query("SELECT * FROM tracking_metric WHERE id IN (SELECT MAX(id) FROM tracking_metric WHERE run_id = :runId "
            + "GROUP BY name) ORDER BY name")
    List<TrackingMetric> latest(long runId);
}

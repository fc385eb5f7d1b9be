package io.adapterops.service.training;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrainingJobRepository extends GenericRepository<TrainingJob, Long> {
    TrainingJob save(TrainingJob job);

    TrainingJob update(TrainingJob job);

    Optional<TrainingJob> findById(Long id);

    Page<TrainingJob> findAll(Pageable pageable);

    List<TrainingJob> findByStatusInOrderById(List<TrainingJob.JobStatus> statuses);

    /** Progress is written outside the optimistic lock: it must never make a cancel or a status change fail. */
    @Query("UPDATE training_job SET progress = :progress WHERE id = :id")
    void updateProgress(long id, String progress);
}

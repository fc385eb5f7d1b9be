package io.adapterops.service.training;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface TrainingJobRepository extends GenericRepository<TrainingJob, Long> {
    TrainingJob save(TrainingJob job);

    TrainingJob update(TrainingJob job);

    Optional<TrainingJob> findById(Long id);

    Page<TrainingJob> findAll(Pageable pageable);

    List<TrainingJob> findByStatusInOrderById(List<TrainingJob.JobStatus> statuses);

    /**
     * Takes a job for this replica: free, already ours, or abandoned (its lease ran out). 1 when
     * taken; 0 when another live replica holds it or it has ended.
     */
    @Query("UPDATE training_job SET owner = :owner, lease_until = :until WHERE id = :id "
            + "AND status IN ('QUEUED', 'RUNNING') AND (owner IS NULL OR owner = :owner OR lease_until < :now)")
    int claim(long id, String owner, Instant until, Instant now);

    /** The heartbeat: extends the leases of the running jobs this replica holds. */
    @Query("UPDATE training_job SET lease_until = :until WHERE owner = :owner AND status = 'RUNNING'")
    void renew(String owner, Instant until);

    /** Jobs a replica may take: unowned, its own from before a restart, or abandoned. */
    @Query("SELECT * FROM training_job WHERE status IN ('QUEUED', 'RUNNING') "
            + "AND (owner IS NULL OR owner = :owner OR lease_until < :now) ORDER BY id")
    List<TrainingJob> claimable(String owner, Instant now);

    @Query("SELECT owner FROM training_job WHERE id = :id")
    Optional<String> findOwnerById(long id);

    /** Progress is written outside the optimistic lock: it must never make a cancel or a status change fail. */
    @Query("UPDATE training_job SET progress = :progress WHERE id = :id")
    void updateProgress(long id, String progress);
}

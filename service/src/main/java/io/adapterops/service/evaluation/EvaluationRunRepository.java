package io.adapterops.service.evaluation;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import io.micronaut.data.annotation.Query;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface EvaluationRunRepository extends GenericRepository<EvaluationRun, Long> {
    EvaluationRun save(EvaluationRun run);

    EvaluationRun update(EvaluationRun run);

    Optional<EvaluationRun> findById(Long id);

    List<EvaluationRun> findByAdapterVersionIdOrderById(long adapterVersionId);

    List<EvaluationRun> findByStatus(EvaluationRun.Status status);

    @Query("UPDATE evaluation_run SET owner = :owner, lease_until = :until WHERE id = :id")
    void own(long id, String owner, Instant until);

    /** The heartbeat: extends the leases of the running evaluations this replica holds. */
    @Query("UPDATE evaluation_run SET lease_until = :until WHERE owner = :owner AND status = 'RUNNING'")
    void renew(String owner, Instant until);

    /** Running evaluations nobody runs any more: {@code owner}'s (a replica just started) or abandoned ones. */
    @Query("SELECT * FROM evaluation_run WHERE status = 'RUNNING' "
            + "AND (owner IS NULL OR owner = :owner OR lease_until < :now) ORDER BY id")
    List<EvaluationRun> orphaned(String owner, Instant now);

    boolean existsByAdapterVersionIdAndStatus(long adapterVersionId, EvaluationRun.Status status);
}

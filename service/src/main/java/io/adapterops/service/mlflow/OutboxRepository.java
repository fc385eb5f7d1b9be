package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface OutboxRepository extends GenericRepository<OutboxEntry, Long> {
    OutboxEntry save(OutboxEntry entry);

    /** The oldest live row of every stream: the only ones that may be sent now. */
    @Query("SELECT * FROM mlflow_outbox WHERE id IN (SELECT MIN(id) FROM mlflow_outbox WHERE failed_at IS NULL "
            + "GROUP BY stream) ORDER BY id")
    List<OutboxEntry> heads();

    @Query("SELECT * FROM mlflow_outbox WHERE stream = :stream AND failed_at IS NULL AND id > :after "
            + "ORDER BY id LIMIT :limit")
    List<OutboxEntry> following(String stream, long after, int limit);

    /** Takes a row for one try; 0 when another sender holds it. */
    @Query("UPDATE mlflow_outbox SET attempts = attempts + 1, claimed_until = :until "
            + "WHERE id = :id AND (claimed_until IS NULL OR claimed_until < :now)")
    int claim(long id, Instant until, Instant now);

    @Query("UPDATE mlflow_outbox SET claimed_until = NULL, next_attempt_at = :next, last_error = :error WHERE id = :id")
    void retryLater(long id, Instant next, String error);

    @Query("UPDATE mlflow_outbox SET next_attempt_at = :now WHERE failed_at IS NULL AND next_attempt_at > :now")
    void dueNow(Instant now);

    @Query("UPDATE mlflow_outbox SET claimed_until = NULL, failed_at = :at, last_error = :error WHERE id = :id")
    void fail(long id, Instant at, String error);

    void deleteByIdIn(List<Long> ids);

    boolean existsByStreamAndFailedAtIsNull(String stream);

    @Query("SELECT COUNT(*) FROM mlflow_outbox WHERE failed_at IS NULL")
    long countPending();

    @Query("SELECT COUNT(*) FROM mlflow_outbox WHERE failed_at IS NOT NULL")
    long countFailed();

    @Query("SELECT MIN(created_at) FROM mlflow_outbox WHERE failed_at IS NULL")
    @Nullable
    Instant oldestPending();
}

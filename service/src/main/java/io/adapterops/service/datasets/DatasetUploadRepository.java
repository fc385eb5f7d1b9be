package io.adapterops.service.datasets;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Page;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Uploads, and the moves between their states. Each move names the state it comes from and the
 * owner that makes it, and returns the rows changed: 0 means someone else moved the upload first.
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
public interface DatasetUploadRepository extends GenericRepository<DatasetUpload, Long> {
    DatasetUpload save(DatasetUpload upload);

    Optional<DatasetUpload> findById(Long id);

    Page<DatasetUpload> findByDatasetId(long datasetId, Pageable pageable);

    @Query("UPDATE dataset_upload SET status = 'QUEUED', bytes = :bytes, step = 'queued' "
            + "WHERE id = :id AND status = 'RECEIVING' AND owner = :owner")
    int received(long id, long bytes, String owner);

    @Query("UPDATE dataset_upload SET status = 'RUNNING', step = :step, rows_read = 0, percent = 0, owner = :owner, "
            + "lease_until = :until WHERE id = :id AND status IN ('QUEUED', 'RUNNING') AND owner = :owner")
    int started(long id, String step, String owner, Instant until);

    @Query("UPDATE dataset_upload SET step = :step, rows_read = :rowsRead, percent = :percent "
            + "WHERE id = :id AND status = 'RUNNING' AND owner = :owner")
    int progress(long id, String step, long rowsRead, int percent, String owner);

    @Query("UPDATE dataset_upload SET status = 'SUCCEEDED', step = 'done', percent = 100, rows_read = :rowsRead, "
            + "dataset_version_id = :versionId, created_version = :created, result = :result, finished_at = :at, "
            + "lease_until = NULL WHERE id = :id AND status = 'RUNNING' AND owner = :owner")
    int succeeded(long id, long rowsRead, long versionId, boolean created, String result, Instant at, String owner);

    /** Fails an unfinished upload held by {@code owner}. */
    @Query("UPDATE dataset_upload SET status = 'FAILED', error = :error, result = :result, finished_at = :at, "
            + "lease_until = NULL WHERE id = :id AND status IN ('RECEIVING', 'QUEUED', 'RUNNING') AND owner = :owner")
    int failed(long id, String error, String result, Instant at, String owner);

    /** The heartbeat: extends this replica's claims on the uploads it receives or processes. */
    @Query("UPDATE dataset_upload SET lease_until = :until WHERE owner = :owner "
            + "AND status IN ('RECEIVING', 'QUEUED', 'RUNNING')")
    void renew(String owner, Instant until);

    /**
     * Takes an unfinished upload over from a holder that is gone: {@code restarted} (this replica's
     * own name, right after a restart) or anyone whose lease ran out.
     */
    @Query("UPDATE dataset_upload SET owner = :owner, lease_until = :until WHERE id = :id "
            + "AND status IN ('RECEIVING', 'QUEUED', 'RUNNING') "
            + "AND (owner IS NULL OR owner = :restarted OR lease_until < :now)")
    int takeOver(long id, String owner, String restarted, Instant now, Instant until);

    /** Unfinished uploads nobody runs: {@code restarted}'s (a replica just started) or abandoned ones. */
    @Query("SELECT * FROM dataset_upload WHERE status IN ('RECEIVING', 'QUEUED', 'RUNNING') "
            + "AND (owner IS NULL OR owner = :restarted OR lease_until < :now) ORDER BY id")
    List<DatasetUpload> orphaned(String restarted, Instant now);

    @Query("SELECT * FROM dataset_upload WHERE status IN ('RECEIVING', 'QUEUED', 'RUNNING')")
    List<DatasetUpload> unfinished();
}

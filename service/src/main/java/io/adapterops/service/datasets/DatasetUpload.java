package io.adapterops.service.datasets;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/**
 * One upload of rows into a dataset, as a job: received, then validated and cleaned in the
 * background into a {@link DatasetVersion}, or failed with the reason and the row-level report.
 * Every change after the insert is a conditional update in {@link DatasetUploadRepository}, made by
 * the replica that owns the upload, so a stale replica cannot overwrite a newer state.
 *
 * @param description the LLaMA-Factory dataset_info.json entry the rows are read with, as JSON, or null
 * @param result      JSON: on success the validation and cleaning reports, on failure the problem
 *                    details (with every bad row by line and field)
 */
@MappedEntity("dataset_upload")
public record DatasetUpload(
        @Id @GeneratedValue @Nullable Long id,
        long datasetId,
        Status status,
        boolean skipInvalid,
        @Nullable String description,
        long bytes,
        long rowsRead,
        @Nullable String step,
        int percent,
        @Nullable Long datasetVersionId,
        @Nullable Boolean createdVersion,
        @Nullable String result,
        @Nullable String error,
        @Nullable String owner,
        @Nullable Instant leaseUntil,
        String createdBy,
        Instant createdAt,
        @Nullable Instant finishedAt) {

    public enum Status {
        /** The body is being streamed to disk. */
        RECEIVING,
        /** The body is on disk; waiting for the worker. */
        QUEUED,
        RUNNING,
        SUCCEEDED,
        FAILED;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED;
        }
    }
}

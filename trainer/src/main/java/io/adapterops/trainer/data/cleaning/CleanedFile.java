package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.ValidationReport;

/**
 * What cleaning a file produced. When {@code validation} is not accepted, {@code report} is null
 * and nothing was kept.
 *
 * @param versionId "sha256:" and the SHA-256 of the cleaned rows file's bytes
 */
public record CleanedFile(ValidationReport validation, CleaningReport report, String versionId, long rows) {
}

package io.adapterops.trainer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One training job.
 *
 * @param baseModelDir a Hugging Face model folder
 * @param datasetFile JSONL as {@code DatasetVersion.writeJsonl} writes it, or any format {@code DatasetReader} reads
 * @param workDir where {@code checkpoints/} and {@code adapter/} go; a job resumes from what it finds here
 * @param datasetHash recorded in the summary and checked on resume (null: not checked)
 */
public record TrainingRequest(Path baseModelDir, Path datasetFile, Path workDir, TrainingConfig config,
                              String datasetHash) {

    public TrainingRequest {
        Objects.requireNonNull(baseModelDir, "baseModelDir");
        Objects.requireNonNull(datasetFile, "datasetFile");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(config, "config");
    }
}

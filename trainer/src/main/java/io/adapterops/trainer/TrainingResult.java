package io.adapterops.trainer;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a job ended.
 *
 * @param adapterDir the PEFT folder; null when cancelled (nothing half-trained is published)
 * @param summaryFile {@code training_summary.json} inside the adapter folder; null when cancelled
 * @param finalMetrics last train loss, last eval loss and (DPO) reward metrics
 * @param parityMaxLogitDiff largest |logit| difference between base+adapter and merged weights; NaN when cancelled
 * @param steps optimizer steps done
 */
public record TrainingResult(Path adapterDir, Path summaryFile, Map<String, Double> finalMetrics,
                             double parityMaxLogitDiff, boolean cancelled, long steps) {

    public TrainingResult {
        finalMetrics = Map.copyOf(finalMetrics);
    }
}

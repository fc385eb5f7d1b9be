package io.adapterops.trainer;

import java.util.Map;

/**
 * One optimizer step's report.
 *
 * @param epoch fractional epochs done
 * @param trainLoss this step's mean loss (per trained token for SFT, per pair for DPO)
 * @param evalLoss the eval loss when this step evaluated, else null
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond tokens (prompt and reply, no padding) through forward and backward per second
 * @param extra DPO: reward_accuracy, chosen_reward, rejected_reward, margin; when evaluating, eval_* metrics
 */
public record Progress(long step, long totalSteps, double epoch, double trainLoss, Double evalLoss,
                       double learningRate, double gradNorm, double tokensPerSecond, double etaSeconds,
                       Map<String, Double> extra) {

    public Progress {
        extra = Map.copyOf(extra);
    }
}

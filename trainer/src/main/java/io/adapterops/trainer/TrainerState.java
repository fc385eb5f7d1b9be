package io.adapterops.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a run stands, all a checkpoint needs besides tensors. The random state is derived, not
 * stored: the shuffle of epoch e is seeded by (seed, e) and dropout at step s by (seed, s), so the
 * step and the micro-batch counter restore both.
 *
 * @param step optimizer steps done
 * @param microBatch micro-batches consumed (the data position)
 * @param firstTrainLoss the run's first step loss, NaN before it
 * @param bestEvalLoss lowest eval loss so far, NaN before any
 * @param evalsWithoutImprovement evaluations since {@code bestEvalLoss} last improved
 * @param lastEvalLoss NaN before any evaluation
 * @param wallSeconds training time over all resumed parts of the run
 */
record TrainerState(long step, long microBatch, double firstTrainLoss, double bestEvalLoss,
                    int evalsWithoutImprovement, double lastEvalLoss, double wallSeconds) {

    static TrainerState fresh() {
        return new TrainerState(0, 0, Double.NaN, Double.NaN, 0, Double.NaN, 0);
    }

    TrainerState afterStep(int microBatches, double trainLoss, double seconds) {
        return new TrainerState(step + 1, microBatch + microBatches, step == 0 ? trainLoss : firstTrainLoss,
                bestEvalLoss, evalsWithoutImprovement, lastEvalLoss, wallSeconds + seconds);
    }

    TrainerState afterEval(double evalLoss) {
        boolean better = Double.isNaN(bestEvalLoss) || evalLoss < bestEvalLoss;
        return new TrainerState(step, microBatch, firstTrainLoss, better ? evalLoss : bestEvalLoss,
                better ? 0 : evalsWithoutImprovement + 1, evalLoss, wallSeconds);
    }

    void writeTo(ObjectNode n) {
        n.put("step", step);
        n.put("micro_batch", microBatch);
        put(n, "first_train_loss", firstTrainLoss);
        put(n, "best_eval_loss", bestEvalLoss);
        n.put("evals_without_improvement", evalsWithoutImprovement);
        put(n, "last_eval_loss", lastEvalLoss);
        n.put("wall_seconds", wallSeconds);
        n.putObject("rng").put("shuffle", "java.util.Random(seed * 1000003 + epoch)")
                .put("dropout", "torch manual_seed(seed * 31 + step)");
    }

    static TrainerState read(JsonNode n) {
        return new TrainerState(n.path("step").asLong(), n.path("micro_batch").asLong(), get(n, "first_train_loss"),
                get(n, "best_eval_loss"), n.path("evals_without_improvement").asInt(), get(n, "last_eval_loss"),
                n.path("wall_seconds").asDouble());
    }

    private static void put(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    private static double get(JsonNode n, String key) {
        return n.path(key).isNumber() ? n.get(key).asDouble() : Double.NaN;
    }
}

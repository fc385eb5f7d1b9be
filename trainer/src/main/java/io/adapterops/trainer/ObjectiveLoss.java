package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;

/** A training objective over one split's rows, addressed by index. */
interface ObjectiveLoss {

    /** Rows in the split. */
    int size();

    /** The rows' share of a step's normaliser: trained tokens (SFT) or pairs (DPO). */
    double weight(List<Integer> rows);

    /**
     * Forward pass over {@code rows}, on {@code m}.
     *
     * @param normaliser the whole step's weight, so micro-batch losses add up to the step's mean
     */
    Output forward(NDManager m, List<Integer> rows, double normaliser, boolean training);

    /**
     * @param loss scalar to back-propagate: the summed loss over {@code normaliser}
     * @param lossSum the summed loss as a number
     * @param tokens tokens in the batch without padding (for tokens/s)
     * @param sums metric sums over the rows (divide by the weight for means)
     */
    record Output(NDArray loss, double lossSum, double weight, long tokens, Map<String, Double> sums) {
    }
}

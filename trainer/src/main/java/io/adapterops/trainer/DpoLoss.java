package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import io.adapterops.llm.LlamaModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Direct Preference Optimization (Rafailov et al. 2023), sigmoid loss:
 *
 * <pre>
 *   chosen_reward   = β · (log π(y_w|x) − log π_ref(y_w|x))
 *   rejected_reward = β · (log π(y_l|x) − log π_ref(y_l|x))
 *   loss            = −log σ(chosen_reward − rejected_reward) = softplus(rejected_reward − chosen_reward)
 * </pre>
 *
 * The reference π_ref is the same base model with the adapter switched off, so no second copy of
 * the weights is held. Each row's reference log-probabilities are computed once, alone (no padding,
 * so the same bits whatever batch it lands in), and cached.
 */
final class DpoLoss implements ObjectiveLoss {

    private final LlamaModel model;
    private final String adapter;
    private final List<Sequence[]> pairs; // {chosen, rejected}
    private final int padId;
    private final double beta;
    private final double[][] reference; // {chosen, rejected} log-probs, null until computed

    DpoLoss(LlamaModel model, String adapter, List<Sequence[]> pairs, int padId, double beta) {
        this.model = model;
        this.adapter = adapter;
        this.pairs = List.copyOf(pairs);
        this.padId = padId;
        this.beta = beta;
        this.reference = new double[pairs.size()][];
    }

    @Override
    public int size() {
        return pairs.size();
    }

    @Override
    public double weight(List<Integer> batch) {
        return batch.size();
    }

    @Override
    public Output forward(NDManager m, List<Integer> batch, double normaliser, boolean training) {
        int b = batch.size();
        List<Sequence> seqs = new ArrayList<>(2 * b); // chosen rows, then rejected rows
        batch.forEach(i -> seqs.add(pairs.get(i)[0]));
        batch.forEach(i -> seqs.add(pairs.get(i)[1]));
        float[] refChosen = new float[b];
        float[] refRejected = new float[b];
        for (int k = 0; k < b; k++) {
            double[] r = reference(batch.get(k));
            refChosen[k] = (float) r[0];
            refRejected[k] = (float) r[1];
        }
        NDArray policy = TokenLogProbs.sums(m, model, adapter, seqs, padId, training); // (2·batch,)
        NDArray chosen = policy.get(new NDIndex("0:" + b)).sub(m.create(refChosen)); // (batch,)
        NDArray rejected = policy.get(new NDIndex(b + ":")).sub(m.create(refRejected)); // (batch,)
        NDArray betaArray = m.create((float) beta);
        NDArray logits = chosen.sub(rejected).mul(betaArray); // (batch,)
        NDArray losses = Activation.softPlus(logits.neg()); // (batch,)
        NDArray loss = losses.sum().div(m.create((float) normaliser));
        float[] c = chosen.toFloatArray();
        float[] r = rejected.toFloatArray();
        double correct = 0;
        double chosenSum = 0;
        double rejectedSum = 0;
        for (int k = 0; k < b; k++) {
            correct += c[k] > r[k] ? 1 : 0;
            chosenSum += beta * c[k];
            rejectedSum += beta * r[k];
        }
        Map<String, Double> sums = new LinkedHashMap<>();
        sums.put("reward_accuracy", correct);
        sums.put("chosen_reward", chosenSum);
        sums.put("rejected_reward", rejectedSum);
        sums.put("margin", chosenSum - rejectedSum);
        return new Output(loss, losses.sum().getFloat(), b, TokenLogProbs.tokens(seqs), sums);
    }

    private double[] reference(int i) {
        if (reference[i] == null) {
            try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                double c = TokenLogProbs.sums(m, model, null, List.of(pairs.get(i)[0]), padId, false).getFloat(0);
                double r = TokenLogProbs.sums(m, model, null, List.of(pairs.get(i)[1]), padId, false).getFloat(0);
                reference[i] = new double[] {c, r};
            }
        }
        return reference[i];
    }
}

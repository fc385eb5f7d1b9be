package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import io.adapterops.llm.LlamaModel;
import io.adapterops.trainer.TrainingConfig.PrefLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preference losses of {@code stage: dpo}, as LLaMA-Factory's {@code CustomDPOTrainer}
 * ({@code train/dpo/trainer.py}) and TRL compute them. With y_w chosen, y_l rejected:
 *
 * <pre>
 *   sigmoid (DPO, Rafailov et al. 2023), log-probs summed over the reply's tokens:
 *     chosen_reward = β · (log π(y_w|x) − log π_ref(y_w|x)),  rejected_reward likewise
 *     loss = −log σ(chosen_reward − rejected_reward)
 *   orpo (Hong et al. 2024), c and r the log-probs averaged over the reply's tokens:
 *     log_odds = (c − r) − (log(1 − e^c) − log(1 − e^r))
 *     loss = −c − β · log σ(log_odds)                       rewards β·c, β·r
 *   simpo (Meng et al. 2024), c and r averaged as for orpo:
 *     loss = −log σ(β · (c − r) − γ)                         rewards β·c, β·r
 * </pre>
 *
 * The DPO reference π_ref is the same base model with the adapter switched off, so no second copy
 * of the weights is held; each row's reference log-probabilities are computed once, alone (no
 * padding, so the same bits whatever batch it lands in), and cached. ORPO and SimPO need none.
 */
final class PreferenceLoss implements ObjectiveLoss {

    private final LlamaModel model;
    private final String adapter;
    private final List<Sequence[]> pairs; // {chosen, rejected}
    private final PrefLoss type;
    private final double beta;
    private final double gamma;
    private final double[][] reference; // {chosen, rejected} log-probs, null until computed

    PreferenceLoss(LlamaModel model, String adapter, List<Sequence[]> pairs, PrefLoss type, double beta,
                   double gamma) {
        this.model = model;
        this.adapter = adapter;
        this.pairs = List.copyOf(pairs);
        this.type = type;
        this.beta = beta;
        this.gamma = gamma;
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
        NDArray policy = TokenLogProbs.sums(m, model, adapter, seqs, training); // (2·batch,)
        NDArray chosen = policy.get(new NDIndex("0:" + b)); // (batch,)
        NDArray rejected = policy.get(new NDIndex(b + ":")); // (batch,)
        if (type == PrefLoss.SIGMOID) {
            float[] refChosen = new float[b];
            float[] refRejected = new float[b];
            for (int k = 0; k < b; k++) {
                double[] r = reference(batch.get(k));
                refChosen[k] = (float) r[0];
                refRejected[k] = (float) r[1];
            }
            chosen = chosen.sub(m.create(refChosen));
            rejected = rejected.sub(m.create(refRejected));
        } else { // LLaMA-Factory averages over the reply's tokens for orpo and simpo
            float[] lengths = new float[2 * b];
            for (int k = 0; k < 2 * b; k++) {
                lengths[k] = seqs.get(k).trainedCount();
            }
            chosen = chosen.div(m.create(Arrays.copyOfRange(lengths, 0, b)));
            rejected = rejected.div(m.create(Arrays.copyOfRange(lengths, b, 2 * b)));
        }
        NDArray losses = losses(m, type, chosen, rejected, beta, gamma); // (batch,)
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
        if (type == PrefLoss.ORPO) {
            double sft = 0;
            for (float x : c) {
                sft -= x;
            }
            sums.put("sft_loss", sft);
        }
        return new Output(loss, losses.sum().getFloat(), b, TokenLogProbs.tokens(seqs), sums);
    }

    /**
     * Per-pair losses from the class comment's formulas. {@code chosen} and {@code rejected} are the
     * log-ratios to the reference (sigmoid) or the averaged log-probs (orpo, simpo). Scalars are
     * arrays on {@code m}: a Java number in an autograd op has corrupted gradients (STACK-NOTES).
     */
    static NDArray losses(NDManager m, PrefLoss type, NDArray chosen, NDArray rejected, double beta, double gamma) {
        NDArray betaArray = m.create((float) beta);
        return switch (type) {
            case SIGMOID -> Activation.softPlus(chosen.sub(rejected).mul(betaArray).neg());
            case ORPO -> {
                NDArray one = m.create(1f);
                NDArray logOdds = chosen.sub(rejected)
                        .sub(one.sub(chosen.exp()).log().sub(one.sub(rejected.exp()).log()));
                yield chosen.neg().add(Activation.softPlus(logOdds.neg()).mul(betaArray));
            }
            case SIMPO -> Activation.softPlus(chosen.sub(rejected).mul(betaArray).sub(m.create((float) gamma)).neg());
        };
    }

    private double[] reference(int i) {
        if (reference[i] == null) {
            try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                double c = TokenLogProbs.sums(m, model, null, List.of(pairs.get(i)[0]), false).getFloat(0);
                double r = TokenLogProbs.sums(m, model, null, List.of(pairs.get(i)[1]), false).getFloat(0);
                reference[i] = new double[] {c, r};
            }
        }
        return reference[i];
    }
}

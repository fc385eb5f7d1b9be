package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.adapterops.llm.Engines;
import io.adapterops.llm.ModelFolder;
import io.adapterops.trainer.TrainingConfig.PrefLoss;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preference losses against values worked out by hand from the published formulas, in the
 * form LLaMA-Factory's train/dpo/trainer.py writes them (odds_ratio_loss, simpo_loss, TRL's
 * sigmoid dpo_loss). Probabilities are picked so each term has a closed form.
 */
class PreferenceLossTest {

    @TempDir
    Path tmp;

    private static double loss(PrefLoss type, double chosen, double rejected, double beta, double gamma) {
        try (NDManager m = Engines.newManager()) {
            NDArray c = m.create(new float[] {(float) chosen});
            NDArray r = m.create(new float[] {(float) rejected});
            return PreferenceLoss.losses(m, type, c, r, beta, gamma).getFloat(0);
        }
    }

    @Test
    void orpoIsTheChosenNllPlusBetaTimesTheOddsRatioTerm() {
        // c = ln 0.5, r = ln 0.25: odds(c) = 0.5/0.5 = 1, odds(r) = 0.25/0.75 = 1/3, log_odds = ln 3;
        // −log σ(ln 3) = ln(1 + 1/3) = ln(4/3); loss = −ln 0.5 + 0.1 · ln(4/3) = 0.693147 + 0.028768
        double loss = loss(PrefLoss.ORPO, Math.log(0.5), Math.log(0.25), 0.1, 0);
        System.out.printf("orpo loss %.6f (by hand 0.721915)%n", loss);
        assertEquals(0.721915, loss, 1e-5);
    }

    @Test
    void simpoIsMinusLogSigmoidOfTheScaledMarginLessGamma() {
        // c − r = ln 2, β = 2, γ = ln 2: β(c − r) − γ = ln 2; −log σ(ln 2) = ln(1 + 1/2) = ln 1.5 = 0.405465
        double loss = loss(PrefLoss.SIMPO, Math.log(0.5), Math.log(0.25), 2.0, Math.log(2));
        System.out.printf("simpo loss %.6f (by hand 0.405465)%n", loss);
        assertEquals(Math.log(1.5), loss, 1e-5);
        // γ = 0.5 (LLaMA-Factory's default), β = 0.1: −log σ(0.1 · ln 2 − 0.5) = ln(1 + e^0.430685)
        // = ln(2.538307) = 0.931499
        assertEquals(0.931499, loss(PrefLoss.SIMPO, Math.log(0.5), Math.log(0.25), 0.1, 0.5), 1e-5);
    }

    @Test
    void sigmoidIsDposLossOnTheLogRatios() {
        // log-ratios +0.5 and −0.5, β = 0.1: −log σ(0.1) = ln(1 + e^−0.1) = 0.644397
        assertEquals(0.644397, loss(PrefLoss.SIGMOID, 0.5, -0.5, 0.1, 0), 1e-5);
    }

    /** ORPO and SimPO feed the loss the log-probs averaged over the reply's tokens, as LLaMA-Factory does. */
    @Test
    void orpoAndSimpoAverageTheReplysLogProbsOverItsTrainedTokens() throws Exception {
        Path base = Fixtures.tinyModel(tmp);
        try (NDManager root = Engines.newManager(); ModelFolder f = ModelFolder.load(base, root)) {
            Sequence[] pair = Fixtures.encoder(TrainingTemplate.LLAMA3, f.tokenizer()).encode(new PreferencePair(
                    new Conversation(null, null, List.of(new Turn(Role.USER, "My VPN drops.")), null),
                    "Update the client.", "No."));
            double c;
            double r;
            try (NDScope s = new NDScope(); NDManager m = root.newSubManager()) {
                c = TokenLogProbs.sums(m, f.model(), null, List.of(pair[0]), false).getFloat(0)
                        / pair[0].trainedCount();
                r = TokenLogProbs.sums(m, f.model(), null, List.of(pair[1]), false).getFloat(0)
                        / pair[1].trainedCount();
            }
            double orpo = -c + 0.1 * Math.log1p(Math.exp(-((c - r) - (Math.log1p(-Math.exp(c))
                    - Math.log1p(-Math.exp(r))))));
            double simpo = Math.log1p(Math.exp(-(2.0 * (c - r) - 0.5)));
            for (PrefLoss type : List.of(PrefLoss.ORPO, PrefLoss.SIMPO)) {
                PreferenceLoss loss = new PreferenceLoss(f.model(), null, List.<Sequence[]>of(pair), type,
                        type == PrefLoss.ORPO ? 0.1 : 2.0, 0.5);
                try (NDScope s = new NDScope(); NDManager m = root.newSubManager()) {
                    ObjectiveLoss.Output out = loss.forward(m, List.of(0), 1, false);
                    System.out.printf("%s on the base model: loss %.6f, from averaged log-probs %.6f%n", type,
                            out.lossSum(), type == PrefLoss.ORPO ? orpo : simpo);
                    assertEquals(type == PrefLoss.ORPO ? orpo : simpo, out.lossSum(), 1e-4);
                }
            }
        }
    }
}

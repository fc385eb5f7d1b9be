package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.adapterops.llm.Engines;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.ReadOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DPO on the tiny model and 16 short pairs of the shipped helpdesk preference set. */
class DpoAcceptanceTest {

    @TempDir
    Path tmp;

    @Test
    void dpoRanksTheChosenReplyAboveTheRejectedOneOnItsTrainingPairs() throws Exception {
        Path base = Fixtures.tinyModel(tmp);
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-preference.jsonl", "chosen", 16);
        TrainingConfig cfg = Fixtures.config("stage", "dpo", "pref_beta", 0.1, "lora_rank", 8,
                "learning_rate", 0.005, "max_steps", 40, "per_device_train_batch_size", 4, "val_size", 0,
                "save_steps", 0);
        List<Progress> events = new ArrayList<>();
        TrainingResult result = new Trainer().train(new TrainingRequest(base, data, tmp.resolve("work"), cfg, null),
                events::add, () -> false);
        Progress first = events.get(0);
        Progress last = events.get(events.size() - 1);
        System.out.printf("DPO: loss %.4f -> %.4f, step reward accuracy %.2f -> %.2f, margin %.3f -> %.3f%n",
                first.trainLoss(), last.trainLoss(), first.extra().get("reward_accuracy"),
                last.extra().get("reward_accuracy"), first.extra().get("margin"), last.extra().get("margin"));
        assertEquals(Math.log(2), first.trainLoss(), 1e-4, "a fresh adapter equals the reference: loss log 2");
        assertTrue(last.extra().keySet().containsAll(List.of("reward_accuracy", "chosen_reward", "rejected_reward",
                "margin")), "logged: " + last.extra().keySet());

        List<Example> pairs = new DatasetReader(ReadOptions.defaults()).load(data).examples();
        int correct = 0;
        try (NDManager root = Engines.newManager(); ModelFolder f = ModelFolder.load(base, root)) {
            PeftAdapter.load(result.adapterDir(), f.model(), "dpo");
            ChatEncoder enc = Fixtures.encoder(TrainingTemplate.LLAMA3, f.tokenizer());
            for (Example e : pairs) {
                Sequence[] s = enc.encode((PreferencePair) e);
                double chosen = logProb(f, "dpo", s[0]) - logProb(f, null, s[0]);
                double rejected = logProb(f, "dpo", s[1]) - logProb(f, null, s[1]);
                correct += chosen > rejected ? 1 : 0;
            }
        }
        double accuracy = (double) correct / pairs.size();
        System.out.printf("DPO: reward accuracy on the %d training pairs, from the saved adapter: %.3f%n",
                pairs.size(), accuracy);
        assertTrue(accuracy > 0.9, "reward accuracy " + accuracy);
    }

    private static double logProb(ModelFolder f, String adapter, Sequence s) {
        try (NDScope scope = new NDScope(); NDManager m = f.model().manager().newSubManager()) {
            return TokenLogProbs.sums(m, f.model(), adapter, List.of(s), false).getFloat(0);
        }
    }
}

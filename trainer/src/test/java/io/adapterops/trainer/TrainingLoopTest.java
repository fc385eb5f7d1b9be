package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation cadence, early stopping, gradient accumulation and the summary a run leaves. */
class TrainingLoopTest {

    @TempDir
    Path tmp;

    private List<Progress> train(String work, Path data, Object... config) throws Exception {
        List<Progress> events = new ArrayList<>();
        new Trainer().train(new TrainingRequest(Fixtures.tinyModel(tmp.resolve(work)), data, tmp.resolve(work),
                Fixtures.config(config), "sha256:abc"), events::add, () -> false);
        return events;
    }

    @Test
    void evalLossIsReportedEveryEvalStepsAndAtTheEnd() throws Exception {
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 12);

        List<Progress> events = train("eval", data, "max_steps", 5, "eval_steps", 2, "val_size", 0.25,
                "per_device_train_batch_size", 2, "save_steps", 0);

        assertEquals(List.of(false, true, false, true, true),
                events.stream().map(p -> p.evalLoss() != null).toList());
        assertEquals(events.get(1).evalLoss(), events.get(1).extra().get("eval_loss"));
        Progress p = events.get(4);
        assertEquals(5, p.step());
        assertEquals(5, p.totalSteps());
        assertTrue(p.tokensPerSecond() > 0 && p.learningRate() >= 0 && p.gradNorm() > 0 && p.etaSeconds() == 0);
        assertEquals(1.0, p.epoch(), 1e-9, "9 training rows in batches of 2 make 5 micro-batches: one epoch");
    }

    @Test
    void earlyStoppingEndsAfterPatienceEvaluationsWithoutABetterEvalLoss() {
        TrainerState s = TrainerState.fresh().afterEval(1.0).afterEval(0.9).afterEval(0.95);
        assertEquals(1, s.evalsWithoutImprovement());
        assertEquals(0.9, s.bestEvalLoss());
        s = s.afterEval(0.97);
        assertEquals(2, s.evalsWithoutImprovement());
        assertEquals(0, s.afterEval(0.5).evalsWithoutImprovement());
    }

    @Test
    void aRunWhoseEvalLossStopsImprovingStopsEarlyAndSaysSo() throws Exception {
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 12);
        // a learning rate this high overfits the nine training rows within a few steps
        List<Progress> events = train("early", data, "max_steps", 200, "eval_steps", 1, "val_size", 0.25,
                "early_stopping_patience", 2, "learning_rate", 0.05, "per_device_train_batch_size", 3,
                "save_steps", 0);

        assertTrue(events.size() < 200, "stopped after " + events.size() + " steps");
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("early/adapter/training_summary.json").toFile());
        assertTrue(summary.get("early_stopped").asBoolean());
        assertEquals(events.size(), summary.get("steps").asInt());
        assertEquals("sha256:abc", summary.get("dataset_hash").asText());
        assertEquals("llama3", summary.get("chat_template").asText());
        assertTrue(summary.get("parity_max_logit_diff").asDouble() <= 1e-3);
        assertEquals("float32", summary.at("/hardware/precision").asText());
        assertEquals(0.05, summary.at("/config/learning_rate").asDouble());
        assertNotNull(summary.at("/final_metrics/eval_loss").numberValue());
    }

    @Test
    void twoAccumulatedHalfBatchesGiveTheGradientOfOneFullBatch() throws Exception {
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 8);

        Progress full = train("full", data, "max_steps", 1, "per_device_train_batch_size", 4, "val_size", 0,
                "save_steps", 0).get(0);
        Progress halves = train("halves", data, "max_steps", 1, "per_device_train_batch_size", 2,
                "gradient_accumulation_steps", 2, "val_size", 0, "save_steps", 0).get(0);

        assertEquals(full.trainLoss(), halves.trainLoss(), 1e-5 * full.trainLoss());
        assertEquals(full.gradNorm(), halves.gradNorm(), 1e-4 * full.gradNorm());
        assertNull(full.evalLoss());
        assertFalse(full.extra().containsKey("reward_accuracy"));
    }

    @Test
    void packingJoinsRowsIntoFewerSequencesAndStillTrains() throws Exception {
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 12);

        List<Progress> events = train("packed", data, "packing", true, "cutoff_len", 256, "max_steps", 3,
                "val_size", 0, "save_steps", 0, "learning_rate", 0.005);

        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("packed/adapter/training_summary.json").toFile());
        int sequences = summary.at("/rows/train_sequences").asInt();
        assertTrue(sequences > 0 && sequences < 12, "12 short rows packed into " + sequences + " sequences");
        assertEquals(3, events.size());
        assertTrue(events.get(2).trainLoss() < events.get(0).trainLoss());
    }
}

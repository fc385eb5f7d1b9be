package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.llm.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted mid-way and resumed from its checkpoint ends with bit-identical adapter tensors
 * (CPU, same seed). The config exercises everything a resume must restore: dropout, gradient
 * accumulation, warm-up, evaluation history and a second epoch's shuffle.
 */
class ResumeTest {

    @TempDir
    Path tmp;
    private Path base;
    private Path data;
    private TrainingConfig cfg;

    @BeforeEach
    void setUp() throws Exception {
        base = Fixtures.tinyModel(tmp);
        data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 12);
        cfg = Fixtures.config("lora_rank", 4, "lora_dropout", 0.1, "learning_rate", 0.005,
                "warmup_steps", 2, "num_train_epochs", 4, "per_device_train_batch_size", 2,
                "gradient_accumulation_steps", 2, "val_size", 0.25, "eval_steps", 2, "save_steps", 4,
                "seed", 11);
    }

    private TrainingResult train(String work, List<Progress> events, java.util.function.BooleanSupplier stop) {
        return new Trainer().train(new TrainingRequest(base, data, tmp.resolve(work), cfg, null), events::add, stop);
    }

    @Test
    void aRunKilledAfterStepSixResumesFromStepFourAndEndsWithTheSameTensors() throws Exception {
        List<Progress> straight = new ArrayList<>();
        TrainingResult reference = train("straight", straight, () -> false);

        List<Progress> firstPart = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> train("crashed", firstPart, () -> {
            if (firstPart.size() == 6) {
                throw new IllegalStateException("simulated kill -9 after step 6");
            }
            return false;
        }));
        assertTrue(Files.isDirectory(tmp.resolve("crashed/checkpoints/step-00000004")));
        List<Progress> secondPart = new ArrayList<>();
        TrainingResult resumed = train("crashed", secondPart, () -> false);

        assertEquals(5, secondPart.get(0).step(), "resumes after the step-4 checkpoint");
        assertEquals(reference.steps(), resumed.steps());
        assertEquals(straight.get(straight.size() - 1).trainLoss(), secondPart.get(secondPart.size() - 1).trainLoss());
        assertEquals(4, new ObjectMapper().readTree(resumed.summaryFile().toFile()).path("resumed_from_step").asInt());
        int compared = assertSameTensors(reference.adapterDir(), resumed.adapterDir());
        System.out.printf("resume after kill: %d steps, %d adapter tensors bit-identical, final loss %.6f%n",
                resumed.steps(), compared, secondPart.get(secondPart.size() - 1).trainLoss());
    }

    @Test
    void aCancelledRunPublishesNothingAndResumesToTheSameTensors() throws Exception {
        TrainingResult reference = train("straight", new ArrayList<>(), () -> false);

        List<Progress> firstPart = new ArrayList<>();
        TrainingResult cancelled = train("cancelled", firstPart, () -> firstPart.size() == 9);
        assertTrue(cancelled.cancelled());
        assertEquals(9, cancelled.steps());
        assertNull(cancelled.adapterDir());
        assertTrue(Files.notExists(tmp.resolve("cancelled/adapter")));

        TrainingResult resumed = train("cancelled", new ArrayList<>(), () -> false);
        int compared = assertSameTensors(reference.adapterDir(), resumed.adapterDir());
        System.out.printf("resume after cancel at step 9 (checkpoint 8): %d adapter tensors bit-identical%n", compared);
    }

    @Test
    void aCheckpointFromAnotherConfigIsNotResumedButRefused() {
        List<Progress> firstPart = new ArrayList<>();
        train("changed", firstPart, () -> firstPart.size() == 5);
        cfg = Fixtures.config("lora_rank", 4, "learning_rate", 0.001, "save_steps", 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train("changed", new ArrayList<>(), () -> false));

        assertTrue(e.getMessage().contains("another config or dataset") && e.getMessage().contains("checkpoints"),
                e.getMessage());
    }

    private static int assertSameTensors(Path expectedDir, Path actualDir) {
        Map<String, Safetensors.Tensor> expected = PeftAdapter.read(expectedDir).tensors();
        Map<String, Safetensors.Tensor> actual = PeftAdapter.read(actualDir).tensors();
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            assertArrayEquals(expected.get(key).toFloats(), actual.get(key).toFloats(), 0f, key); // bit for bit
        }
        return expected.size();
    }
}

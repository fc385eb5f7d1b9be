package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs that cannot run are refused before any training, with a message a person can act on. */
class RefusalTest {

    @TempDir
    Path tmp;

    @Test
    void aJobThatDoesNotFitInFreeMemoryIsRefusedWithTheNumbers() throws Exception {
        Path base = Fixtures.tinyModel(tmp);
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 4);
        TrainingRequest req = new TrainingRequest(base, data, tmp.resolve("work"), TrainingConfig.defaults(), null);

        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> new Trainer(() -> 64L << 20).train(req, p -> { }, () -> false));

        System.out.println("memory refusal: " + e.getMessage());
        for (String part : new String[] {"weights", "activations", "optimizer state", "64.0 MiB free"}) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
        assertTrue(e.estimate().totalBytes() > e.estimate().freeBytes());
        assertTrue(Files.notExists(tmp.resolve("work")), "nothing was started");
    }

    @Test
    void theSameJobFitsWhenTheMemoryIsThere() throws Exception {
        MemoryEstimate m = MemoryEstimate.of(io.adapterops.llm.TinyModels.llama(), TrainingConfig.defaults(), "cpu()",
                8L << 30);
        assertTrue(m.fits(), m.describe());
        assertTrue(m.activationBytes() > m.weightsBytes(), "at cutoff 1024 activations dominate a tiny model");
    }

    @Test
    void sftOnAPreferenceDatasetIsRefusedNamingTheMismatch() throws Exception {
        Path base = Fixtures.tinyModel(tmp);
        Path pairs = Fixtures.shortEnglish(tmp, "it-helpdesk-preference.jsonl", "chosen", 4);
        TrainingRequest req = new TrainingRequest(base, pairs, tmp.resolve("work"), TrainingConfig.defaults(), null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer().train(req, p -> { }, () -> false));

        assertTrue(e.getMessage().contains("preference pairs") && e.getMessage().contains("stage sft"), e.getMessage());
    }
}

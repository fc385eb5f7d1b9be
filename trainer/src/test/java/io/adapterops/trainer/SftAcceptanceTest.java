package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SFT on the tiny model and 16 short rows of the shipped helpdesk set. */
class SftAcceptanceTest {

    @TempDir
    Path tmp;

    @Test
    void sftHalvesTheLossAndGreedyAnswersReproduceTheTrainingTargets() throws Exception {
        Path base = Fixtures.tinyModel(tmp);
        Path data = Fixtures.shortEnglish(tmp, "it-helpdesk-sft.jsonl", "output", 16);
        TrainingConfig cfg = Fixtures.config("lora_rank", 16, "lora_alpha", 32, "learning_rate", 0.01,
                "warmup_steps", 5, "max_steps", 300, "per_device_train_batch_size", 4, "val_size", 0,
                "save_steps", 0, "eval_steps", 0);
        List<Progress> events = new ArrayList<>();
        long t0 = System.nanoTime();
        TrainingResult result = new Trainer().train(new TrainingRequest(base, data, tmp.resolve("work"), cfg, null),
                events::add, () -> false);
        System.out.printf("SFT: %d steps in %.1f s, loss %.4f -> %.4f, parity %.2e%n", result.steps(),
                (System.nanoTime() - t0) / 1e9, events.get(0).trainLoss(), events.get(events.size() - 1).trainLoss(),
                result.parityMaxLogitDiff());

        double first = events.get(0).trainLoss();
        double last = events.get(events.size() - 1).trainLoss();
        assertTrue(last <= first / 2, "loss " + first + " -> " + last);

        try (NDManager root = Engines.newManager(); ModelFolder f = ModelFolder.load(base, root)) {
            PeftAdapter.load(result.adapterDir(), f.model(), "sft");
            Generator g = new Generator(f);
            int exact = 0;
            List<JsonNode> rows = Fixtures.rows(data);
            for (JsonNode row : rows) {
                String answer = g.chat(List.of(new ChatTemplate.Message("user", row.get("instruction").asText())),
                        ChatTemplate.LLAMA3, GenerationOptions.greedy(160).withAdapter("sft"), null).text();
                boolean same = answer.equals(row.get("output").asText());
                exact += same ? 1 : 0;
                if (!same) {
                    System.out.println("  differs: " + row.get("output").asText() + " | " + answer);
                }
            }
            System.out.printf("SFT: %d of %d greedy answers reproduce their targets%n", exact, rows.size());
            assertEquals(rows.size(), exact);
        }
    }
}

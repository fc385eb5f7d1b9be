package io.adapterops.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLaMA-Factory's examples/train_lora/qwen3_lora_sft.yaml and qwen3_lora_dpo.yaml (copied unchanged
 * into src/test/resources/llamafactory from hiyouga/LLaMA-Factory at ff6d4d12) train with
 * {@code train}; only model_name_or_path and dataset are pointed at local files: the tiny Qwen2
 * model and a few rows in LLaMA-Factory's alpaca_en_demo and dpo_en_demo shapes.
 */
class LlamaFactoryYamlTest {

    private static final List<String> IGNORED_IN_EXAMPLES = List.of("trust_remote_code", "do_train",
            "preprocessing_num_workers", "dataloader_num_workers", "plot_loss", "overwrite_output_dir",
            "save_only_model", "report_to", "bf16", "ddp_timeout", "resume_from_checkpoint");

    @TempDir
    Path tmp;

    private String train(String example, String dataset) throws Exception {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/llamafactory/" + example)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        yaml = yaml.replace("model_name_or_path: Qwen/Qwen3-4B-Instruct-2507", "model_name_or_path: tiny-qwen2")
                .replaceFirst("(?m)^dataset: .*$", "dataset: " + dataset);
        Path config = tmp.resolve(example);
        Files.writeString(config, yaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TrainCli.run(new String[] {"train", config.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println("--- " + example + "\n" + text.replace("\r", "\n"));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        for (String key : IGNORED_IN_EXAMPLES) {
            assertTrue(text.contains("ignored " + key + ": "), key + " in\n" + text);
        }
        return text;
    }

    @Test
    void llamaFactorysSftExampleTrainsAndSaysWhichKeysItIgnored() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 16; i++) { // alpaca_en_demo's shape
            rows.append("{\"instruction\": \"Ticket ").append(i).append(": my laptop is slow\", \"input\": \"\", ")
                    .append("\"output\": \"Restart it and install updates.\"}\n");
        }
        Files.writeString(tmp.resolve("sft.json"), rows);

        String text = train("qwen3_lora_sft.yaml", "sft.json");

        // 16 rows, batch 1 × accumulation 8 = 2 steps an epoch, 3 epochs
        assertTrue(text.contains("6/6 loss"), text);
        JsonNode summary = new ObjectMapper().readTree(
                tmp.resolve("saves/qwen3-4b/lora/sft/adapter/training_summary.json").toFile());
        assertEquals("qwen3_nothink", summary.path("chat_template").asText());
        assertEquals(16.0, summary.path("config").path("lora_alpha").asDouble(), "2 × lora_rank 8");
        assertEquals("cosine", summary.path("config").path("lr_scheduler_type").asText());
        assertEquals(0.1, summary.path("config").path("warmup_ratio").asDouble());
        assertTrue(summary.path("ignored_keys").has("bf16"), summary.toString());
    }

    @Test
    void llamaFactorysDpoExampleTrainsOnShareGptPairs() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 8; i++) { // dpo_en_demo's shape
            rows.append("{\"conversations\": [{\"from\": \"human\", \"value\": \"Ticket ").append(i)
                    .append(": VPN drops\"}], \"chosen\": {\"from\": \"gpt\", \"value\": \"Update the client.\"}, ")
                    .append("\"rejected\": {\"from\": \"gpt\", \"value\": \"Live with it.\"}}\n");
        }
        Files.writeString(tmp.resolve("dpo.jsonl"), rows);

        String text = train("qwen3_lora_dpo.yaml", "dpo.jsonl");

        assertTrue(text.contains("3/3 loss"), text); // 8 pairs, 1 × 8 per step, 3 epochs
        JsonNode summary = new ObjectMapper().readTree(
                tmp.resolve("saves/qwen3-4b/lora/dpo/adapter/training_summary.json").toFile());
        assertEquals("sigmoid", summary.path("config").path("pref_loss").asText());
        assertTrue(summary.path("final_metrics").has("reward_accuracy"), summary.toString());
    }
}

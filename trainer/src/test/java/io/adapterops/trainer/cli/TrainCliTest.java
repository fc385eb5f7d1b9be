package io.adapterops.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adapterops.llm.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train config.yaml} runs a job to the end with a progress bar, and refuses bad keys by name. */
class TrainCliTest {

    @TempDir
    Path tmp;

    private int run(String yaml, ByteArrayOutputStream out, ByteArrayOutputStream err) throws Exception {
        TinyModels.write(tmp.resolve("base"), TinyModels.llama(), 7);
        Files.writeString(tmp.resolve("data.jsonl"), """
                {"instruction": "Reset my password", "output": "Use the self-service portal."}
                {"instruction": "Printer jams", "output": "Open the rear tray and remove the paper."}
                """);
        Path config = tmp.resolve("train.yaml");
        Files.writeString(config, yaml);
        return TrainCli.run(new String[] {"train", config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aYamlConfigTrainsInTheForegroundWithAProgressBar() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = run("""
                model_name_or_path: base
                dataset: data.jsonl
                output_dir: run
                stage: sft
                finetuning_type: lora
                lora_rank: 4
                learning_rate: 1.0e-3
                max_steps: 5
                val_size: 0
                """, out, err);

        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("\r100% [########################] 5/5 loss "), text);
        assertTrue(Files.isRegularFile(tmp.resolve("run/adapter/adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("run/adapter/training_summary.json")));
    }

    @Test
    void aTinyModelNameIsGeneratedBesideTheConfigOnFirstUse() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = run("""
                model_name_or_path: tiny-qwen2
                dataset: data.jsonl
                output_dir: run
                max_steps: 2
                val_size: 0
                """, new ByteArrayOutputStream(), err);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.readString(tmp.resolve("models/tiny-qwen2/config.json")).contains("qwen2"));
        assertTrue(Files.isRegularFile(tmp.resolve("run/adapter/adapter_model.safetensors")));
    }

    @Test
    void anUnknownKeyInTheConfigFileIsNamedAndNothingRuns() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = run("""
                model_name_or_path: base
                dataset: data.jsonl
                output_dir: run
                lora_rnak: 4
                """, new ByteArrayOutputStream(), err);

        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("lora_rnak"), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.notExists(tmp.resolve("run")));
    }

    @Test
    void anUnknownKeyIsNamedBeforeAMissingOutputDir() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = run("""
                model_name_or_path: base
                dataset: data.jsonl
                lora_rnak: 4
                """, new ByteArrayOutputStream(), err);

        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status);
        assertTrue(text.contains("unknown training key 'lora_rnak'"), text);
        assertFalse(text.contains("output_dir is required"), text);
    }

    @Test
    void aMissingConfigFileIsReportedAsNoSuchFile() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = TrainCli.run(new String[] {"train", "nope.yaml"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, status);
        assertEquals("config nope.yaml: no such file", err.toString(StandardCharsets.UTF_8).strip());
    }
}

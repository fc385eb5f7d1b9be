package io.adapterops.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * {@code training_summary.json}, written beside the PEFT files: what was trained, on what, how it
 * ended and on which hardware, so a registered version explains itself.
 *
 * @param wallSeconds this process's time from request to summary
 * @param trainingSeconds optimizer-step time summed over every resumed part of the run
 */
record TrainingSummary(TrainingConfig config, String datasetHash, TrainingRequest request, TrainingTemplate template,
                       Map<String, Double> metrics, double wallSeconds, double trainingSeconds, Device device,
                       MemoryEstimate memory, EncodedSplit train, EncodedSplit eval,
                       long steps, long totalSteps, boolean earlyStopped, Long resumedFromStep) {

    static final String FILE = "training_summary.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    void write(Path file, double parityMaxLogitDiff) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("objective", config.objective().name().toLowerCase(Locale.ROOT));
        n.set("config", JSON.valueToTree(config.toMap()));
        n.put("base_model", request.baseModelDir().toString());
        n.put("dataset_file", request.datasetFile().toString());
        n.put("dataset_hash", datasetHash);
        n.put("chat_template", template.lfName());
        if (!config.ignored().isEmpty()) {
            ObjectNode ignored = n.putObject("ignored_keys"); // accepted LLaMA-Factory keys, and what happened instead
            config.ignored().forEach(ignored::put);
        }
        ObjectNode rows = n.putObject("rows");
        rows.put("train_sequences", train.loss().size());
        rows.put("validation_rows", eval.loss().size());
        rows.put("truncated", train.truncated() + eval.truncated());
        rows.put("dropped_no_reply_within_cutoff", train.dropped() + eval.dropped());
        n.put("steps", steps);
        n.put("total_steps", totalSteps);
        n.put("early_stopped", earlyStopped);
        if (resumedFromStep != null) {
            n.put("resumed_from_step", resumedFromStep);
        }
        ObjectNode m = n.putObject("final_metrics");
        metrics.forEach(m::put);
        n.put("parity_max_logit_diff", parityMaxLogitDiff);
        n.put("wall_time_seconds", wallSeconds);
        n.put("training_seconds", trainingSeconds);
        ObjectNode hw = n.putObject("hardware");
        hw.put("device", device.toString());
        hw.put("engine", "PyTorch " + Engine.getInstance().getVersion() + " (DJL)");
        hw.put("precision", "float32");
        hw.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        hw.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        hw.put("java", System.getProperty("java.version"));
        ObjectNode mem = n.putObject("memory_estimate_bytes");
        mem.put("weights", memory.weightsBytes());
        mem.put("activations", memory.activationBytes());
        mem.put("optimizer_state", memory.optimizerBytes());
        mem.put("total", memory.totalBytes());
        mem.put("free_at_start", memory.freeBytes());
        n.put("finished_at", Instant.now().toString());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), n);
    }
}

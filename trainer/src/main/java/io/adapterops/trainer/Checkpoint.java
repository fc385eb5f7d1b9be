package io.adapterops.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.llm.LoraConfig;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.llm.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A resumable snapshot of a run, one folder per step:
 *
 * <pre>
 *   checkpoints/step-00000040/
 *     adapter_config.json, adapter_model.safetensors   the adapter (a PEFT folder by itself)
 *     optimizer.safetensors                            AdamW exp_avg.* and exp_avg_sq.*
 *     trainer_state.json                               step, data position, eval history, config, dataset
 * </pre>
 *
 * A folder is written under a temporary name and renamed when complete, so a crash mid-write
 * leaves the previous checkpoint as the newest. The two newest are kept.
 */
final class Checkpoint {

    static final String DIR = "checkpoints";
    private static final String PREFIX = "step-";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String STATE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEEP = 2;

    /** A checkpoint as read back. */
    record Loaded(Path dir, PeftAdapter.Adapter adapter, Map<String, Safetensors.Tensor> optimizer,
                  long optimizerSteps, TrainerState state, JsonNode identity) {
    }

    private Checkpoint() {
    }

    /**
     * @param identity what must match for a resume to be exact (config, dataset); compared on read
     */
    static Path write(Path checkpoints, LoraConfig lora, Map<String, Safetensors.Tensor> adapter,
                      Map<String, Safetensors.Tensor> optimizer, long optimizerSteps, TrainerState state,
                      JsonNode identity) {
        try {
            Files.createDirectories(checkpoints);
            String name = String.format("%s%08d", PREFIX, state.step());
            Path tmp = checkpoints.resolve("." + name + ".tmp");
            deleteTree(tmp);
            PeftAdapter.write(tmp, lora, adapter);
            Safetensors.write(tmp.resolve(OPTIMIZER), optimizer);
            ObjectNode n = JSON.createObjectNode();
            state.writeTo(n);
            n.put("optimizer_steps", optimizerSteps);
            n.set("identity", identity);
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(STATE).toFile(), n);
            Path dir = checkpoints.resolve(name);
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            List<Path> all = list(checkpoints);
            for (Path old : all.subList(0, Math.max(0, all.size() - KEEP))) {
                deleteTree(old);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + checkpoints, e);
        }
    }

    /** The newest complete checkpoint, if any. */
    static Optional<Loaded> latest(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        List<Path> all = list(checkpoints);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Path dir = all.get(all.size() - 1);
        try {
            JsonNode n = JSON.readTree(dir.resolve(STATE).toFile());
            return Optional.of(new Loaded(dir, PeftAdapter.read(dir), Safetensors.read(dir.resolve(OPTIMIZER)),
                    n.path("optimizer_steps").asLong(), TrainerState.read(n), n.path("identity")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + dir, e);
        }
    }

    private static List<Path> list(Path checkpoints) {
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

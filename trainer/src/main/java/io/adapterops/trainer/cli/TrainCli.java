package io.adapterops.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.llm.LlamaConfig;
import io.adapterops.llm.TinyModels;
import io.adapterops.trainer.InsufficientMemoryException;
import io.adapterops.trainer.Progress;
import io.adapterops.trainer.Trainer;
import io.adapterops.trainer.TrainingConfig;
import io.adapterops.trainer.TrainingRequest;
import io.adapterops.trainer.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code train config.yaml}: one job in the foreground with a one-line progress bar, like
 * {@code llamafactory-cli train}. The file (YAML, or JSON when it ends in {@code .json}) holds the
 * {@link TrainingConfig} keys plus:
 *
 * <pre>
 *   model_name_or_path: /models/base      a local Hugging Face model folder, or tiny-llama /
 *                                          tiny-qwen2 (generated under models/ beside the file) (required)
 *   dataset: data/helpdesk.jsonl           a dataset file (also dataset_path)          (required)
 *   output_dir: runs/helpdesk              checkpoints/ and adapter/ go here; reruns resume (required)
 *   dataset_hash: sha256:…                 recorded in training_summary.json          (optional)
 * </pre>
 *
 * LLaMA-Factory's own example files run as they are; keys without effect here are listed before
 * training with what happens instead ({@link TrainingConfig#IGNORED}).
 *
 * Exit status: 0 done, 1 training failed, 2 bad command line or config, 3 not enough memory.
 */
public final class TrainCli {
    private static final Map<String, Supplier<LlamaConfig>> TINY =
            Map.of("tiny-llama", TinyModels::llama, "tiny-qwen2", TinyModels::qwen2);
    private static final long TINY_SEED = 20261129L;

    private TrainCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String[] rest = args.length > 0 && args[0].equals("train") ? Arrays.copyOfRange(args, 1, args.length)
                : args;
        if (rest.length != 1) {
            err.println("usage: train config.yaml");
            return 2;
        }
        TrainingRequest req;
        try {
            req = request(Path.of(rest[0]));
        } catch (NoSuchFileException e) {
            err.println("config " + rest[0] + ": no such file");
            return 2;
        } catch (IllegalArgumentException | IOException e) {
            err.println("config " + rest[0] + ": " + e.getMessage());
            return 2;
        }
        req.config().ignored().forEach((key, instead) -> out.println("ignored " + key + ": " + instead));
        ProgressBar bar = new ProgressBar(out);
        try {
            TrainingResult r = new Trainer().train(req, bar::show, () -> false);
            bar.finish();
            out.printf(Locale.ROOT, "adapter: %s%nsummary: %s%nmetrics: %s%nparity max |Δlogit|: %.2e%n",
                    r.adapterDir(), r.summaryFile(), r.finalMetrics(), r.parityMaxLogitDiff());
            return 0;
        } catch (InsufficientMemoryException e) {
            bar.finish();
            err.println(e.getMessage());
            return 3;
        } catch (IllegalArgumentException e) {
            bar.finish();
            err.println("cannot train: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            bar.finish();
            err.println("training failed: " + e.getMessage());
            return 1;
        }
    }

    static TrainingRequest request(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(read(file));
        Path dir = file.toAbsolutePath().getParent();
        Object modelName = m.remove("model_name_or_path");
        Object dataset = m.containsKey("dataset_path") ? m.remove("dataset_path") : m.remove("dataset");
        Object outputDir = m.remove("output_dir");
        Object hash = m.remove("dataset_hash");
        // The training keys first: a typo in one should be named before any missing path.
        TrainingConfig config = TrainingConfig.fromMap(m);
        Path data = path(dir, dataset, "dataset");
        Path output = path(dir, outputDir, "output_dir");
        return new TrainingRequest(model(dir, modelName), data, output, config, hash == null ? null : hash.toString());
    }

    /** A model folder; the tiny test models are written on first use, so a demo needs no download. */
    private static Path model(Path dir, Object v) throws IOException {
        Path given = path(dir, v, "model_name_or_path");
        if (Files.isDirectory(given) || !TINY.containsKey(v.toString())) {
            return given;
        }
        Path tiny = dir.resolve("models").resolve(v.toString());
        if (!Files.isRegularFile(tiny.resolve("config.json"))) {
            TinyModels.write(tiny, TINY.get(v.toString()).get(), TINY_SEED);
        }
        return tiny;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Object doc = file.toString().endsWith(".json") ? new ObjectMapper().readValue(in, Map.class)
                    : new Yaml().load(in);
            if (!(doc instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("must be a mapping of keys to values");
            }
            return (Map<String, Object>) doc;
        }
    }

    private static Path path(Path dir, Object v, String key) {
        if (!(v instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(key + " is required (a path)");
        }
        return dir.resolve(s).normalize();
    }

    /** {@code  42% [########------------]  42/100 loss 1.2345 eval 1.3012 lr 9.1e-05 1234 tok/s eta 0:42}. */
    static final class ProgressBar {
        private static final int WIDTH = 24;
        private final PrintStream out;
        private Double lastEval;
        private boolean shown;

        ProgressBar(PrintStream out) {
            this.out = out;
        }

        void show(Progress p) {
            lastEval = p.evalLoss() != null ? p.evalLoss() : lastEval;
            int filled = (int) (WIDTH * p.step() / Math.max(1, p.totalSteps()));
            long eta = Math.round(p.etaSeconds());
            out.printf(Locale.ROOT, "\r%3d%% [%s%s] %d/%d loss %.4f%s lr %.1e %.0f tok/s eta %d:%02d",
                    100 * p.step() / Math.max(1, p.totalSteps()), "#".repeat(filled), "-".repeat(WIDTH - filled),
                    p.step(), p.totalSteps(), p.trainLoss(),
                    lastEval == null ? "" : String.format(Locale.ROOT, " eval %.4f", lastEval), p.learningRate(),
                    p.tokensPerSecond(), eta / 60, eta % 60);
            out.flush();
            shown = true;
        }

        void finish() {
            if (shown) {
                out.println();
                shown = false;
            }
        }
    }
}

package io.adapterops.llm;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes a base model with an adapter folded in ({@code W + scaling·B·A}) as a Hugging Face folder:
 * config, safetensors shards with {@code model.safetensors.index.json}, tokenizer files. Before it
 * reports success it loads the written folder back and compares its logits with base + adapter
 * (unmerged) on probe sequences; a difference above the tolerance deletes the output and fails, so
 * an export never silently differs from the adapter that was trained.
 */
public final class MergedExport {

    /** What was written and how closely it matches base + adapter. */
    public record Report(Path out, int shards, double maxLogitDifference, int probeTokens) {
    }

    public static final double TOLERANCE = 1e-3;

    private MergedExport() {
    }

    /**
     * @throws AdapterIncompatibleException when the adapter does not fit the base
     * @throws IllegalStateException when the reloaded export's logits differ (the output is removed)
     */
    public static Report export(ModelFolder base, Path adapterDir, Path out, int shards) throws IOException {
        if (Files.exists(out) && Files.list(out).findAny().isPresent()) {
            throw new IllegalArgumentException(out + " exists and is not empty; choose a new folder");
        }
        LlamaModel model = base.model();
        String name = "export-" + System.nanoTime();
        String baseName = base.dir().getFileName() == null ? null : base.dir().getFileName().toString();
        new AdapterCache(model, baseName, Long.MAX_VALUE).read(name, adapterDir); // refuses a mismatch, naming both
        PeftAdapter.load(adapterDir, model, name);
        try {
            ModelFolder.write(out, model.config(), model.weights(name), base.dir(), Math.max(1, shards));
            int[][] probes = probes(model.config(), base.tokenizer());
            double max = 0;
            int tokens = 0;
            try (NDManager m = model.manager().newSubManager(); ModelFolder merged = ModelFolder.load(out, m)) {
                for (int[] p : probes) {
                    max = Math.max(max, Logits.maxDiff(logits(model, p, name), logits(merged.model(), p, null)));
                    tokens += p.length;
                }
            }
            if (!(max <= TOLERANCE)) {
                delete(out);
                throw new IllegalStateException("the merged export differs from base + adapter '" + adapterDir
                        + "': max |logit| difference " + max + " > " + TOLERANCE + "; nothing was kept at " + out);
            }
            return new Report(out, Math.max(1, shards), max, tokens);
        } finally {
            model.removeAdapter(name);
        }
    }

    private static int[][] probes(LlamaConfig c, TextTokenizer tokenizer) {
        int[] text = tokenizer.encode("The quick brown fox jumps over the lazy dog. Adapters earn their keep when served.");
        Random rnd = new Random(1);
        int[] random = new int[48];
        for (int i = 0; i < random.length; i++) {
            random[i] = rnd.nextInt(c.vocabSize());
        }
        return new int[][] {text.length == 0 ? new int[] {0} : text, random};
    }

    private static float[][] logits(LlamaModel model, int[] ids, String adapter) {
        return Logits.of(model, ids, adapter);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Max absolute difference and per-position logits helpers, shared with the tests' needs. */
    static final class Logits {
        private Logits() {
        }

        static float[][] of(LlamaModel model, int[] ids, String adapter) {
            try (NDManager m = model.manager().newSubManager()) {
                ai.djl.ndarray.NDArray x = m.create(java.util.Arrays.stream(ids).asLongStream().toArray(),
                        new ai.djl.ndarray.types.Shape(1, ids.length));
                ai.djl.ndarray.NDArray out = model.forward(x, adapter, false); // (1, seq, vocab)
                float[] flat = out.toFloatArray();
                int v = (int) out.getShape().get(2);
                float[][] r = new float[ids.length][v];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(flat, i * v, r[i], 0, v);
                }
                return r;
            }
        }

        static double maxDiff(float[][] a, float[][] b) {
            double max = 0;
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[i].length; j++) {
                    max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
                }
            }
            return max;
        }
    }
}

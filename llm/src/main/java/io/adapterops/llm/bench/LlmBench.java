package io.adapterops.llm.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.LlamaConfig;
import io.adapterops.llm.LlamaModel;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.Safetensors;
import io.adapterops.llm.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Speed and memory of the runtime on the tiny model and a ~20M-parameter model: prefill tokens/s,
 * decode tokens/s with the KV cache, peak RSS, and the forward pass's achieved FLOP/s as a
 * fraction of one large DJL matmul's FLOP/s measured in the same run; then RSS over 1,000 decode
 * steps. Run it with
 *
 * <pre>
 *   mvn -q -pl llm -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   DJL_OFFLINE=true OPT_OUT_TRACKING=true java -cp llm/target/classes:$(cat /tmp/cp.txt) \
 *       [-Dai.djl.pytorch.num_threads=1] io.adapterops.llm.bench.LlmBench
 * </pre>
 */
public final class LlmBench {

    private static final int PREFILL = 128;
    private static final int DECODE = 128;

    private LlmBench() {
    }

    /** About 20M parameters: hidden 384, 8 layers, 6 heads over 2 KV heads, vocab 8192, untied. */
    public static LlamaConfig twentyMillion() {
        return new LlamaConfig("llama", 8192, 384, 1024, 8, 6, 2, 64, 1e-5, 500000.0, null, 4096, false, false, false,
                null, List.of(TinyModels.tokenId("<|endoftext|>")));
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("llm-bench");
        try (NDManager root = Engines.newManager()) {
            double peakFlops = matmulFlops(root, 1024);
            System.out.printf("device %s, DJL matmul 1024x1024x1024: %.2f GFLOP/s%n", root.getDevice(), peakFlops / 1e9);
            System.out.printf("%-6s %10s %14s %14s %12s %14s%n", "model", "params", "prefill tok/s", "decode tok/s",
                    "fwd GFLOP/s", "fwd / matmul");
            for (LlamaConfig c : List.of(TinyModels.llama(), twentyMillion())) {
                String name = c.hiddenSize() == 64 ? "tiny" : "20M";
                try (ModelFolder f = ModelFolder.load(TinyModels.write(tmp.resolve(name), c, 1), root)) {
                    run(name, f, peakFlops);
                }
            }
            System.out.printf("peak RSS %d MiB%n", Rss.peak() >> 20);
            try (ModelFolder f = ModelFolder.load(tmp.resolve("tiny"), root)) {
                rssOverDecode(f);
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String name, ModelFolder f, double peakFlops) {
        LlamaModel model = f.model();
        LlamaConfig c = model.config();
        long params = model.weights(null).values().stream().mapToLong(Safetensors.Tensor::numel).sum();
        long embedding = (long) c.vocabSize() * c.hiddenSize();
        long matmulParams = params - embedding; // every weight but the embedding lookup takes part in a matmul
        Random rnd = new Random(1);
        long[] prompt = new long[PREFILL];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = rnd.nextInt(c.vocabSize());
        }
        for (int i = 0; i < 3; i++) {
            prefill(model, prompt);
        }
        int reps = 5;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            prefill(model, prompt);
        }
        double prefillSec = (System.nanoTime() - t0) / 1e9 / reps;
        double attnFlops = 4.0 * c.numHiddenLayers() * PREFILL * PREFILL * c.numAttentionHeads() * c.headDim();
        double flops = 2.0 * PREFILL * matmulParams + attnFlops;

        Generator g = new Generator(model, f.tokenizer(), Set.of(), f.padId());
        int[] ids = new int[16];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) prompt[i];
        }
        g.generateIds(List.of(ids), GenerationOptions.greedy(32), null);
        long[] times = new long[DECODE];
        int[] n = {0};
        g.generateIds(List.of(ids), GenerationOptions.greedy(DECODE), t -> times[n[0]++] = System.nanoTime());
        double decodeTokS = (DECODE - 1) / ((times[DECODE - 1] - times[0]) / 1e9);
        System.out.printf("%-6s %9.1fM %14.0f %14.0f %12.2f %14.3f%n", name, params / 1e6, PREFILL / prefillSec,
                decodeTokS, flops / prefillSec / 1e9, flops / prefillSec / peakFlops);
    }

    private static void prefill(LlamaModel model, long[] prompt) {
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            NDArray logits = model.forward(m.create(prompt, new Shape(1, prompt.length)), null, false);
            logits.get(0, prompt.length - 1, 0).getFloat();
        }
    }

    private static double matmulFlops(NDManager root, int n) {
        try (NDManager m = root.newSubManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            for (int i = 0; i < 3; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.get(0, 0).getFloat();
                }
            }
            int reps = 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.get(0, 0).getFloat();
                }
            }
            return 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9 / reps);
        }
    }

    private static void rssOverDecode(ModelFolder f) {
        Generator g = new Generator(f.model(), f.tokenizer(), Set.of(), f.padId());
        long before = Rss.current();
        long[] peak = {before};
        int[] steps = {0};
        g.generateIds(List.of(new int[] {1, 2, 3}), GenerationOptions.greedy(1000), t -> {
            if (++steps[0] % 50 == 0) {
                peak[0] = Math.max(peak[0], Rss.current());
            }
        });
        System.out.printf("1000 decode steps (tiny): RSS %d MiB before, peak %d MiB, growth %.1f MiB "
                + "(includes Java heap first-touch; see DecodeMemoryTest for the steady state)%n",
                before >> 20, peak[0] >> 20, (peak[0] - before) / 1048576.0);
    }
}

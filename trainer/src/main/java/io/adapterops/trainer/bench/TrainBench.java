package io.adapterops.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adapterops.llm.Engines;
import io.adapterops.llm.LlamaConfig;
import io.adapterops.llm.TinyModels;
import io.adapterops.llm.bench.Rss;
import io.adapterops.trainer.MemoryEstimate;
import io.adapterops.trainer.Trainer;
import io.adapterops.trainer.TrainingConfig;
import io.adapterops.trainer.TrainingRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training speed on the tiny model and a ~20M-parameter model (the same shapes as {@code LlmBench}):
 * SFT with LoRA r 16 on every linear module, the shipped helpdesk set packed into 256-token rows,
 * batch 4, through {@link Trainer} as a job runs it (host AdamW, clipping, checkpoints off).
 * Prints tokens/s (tokens over wall time of the measured steps, warm-up steps excluded), peak
 * RSS, and achieved FLOP/s against one 1024³ matmul measured in the same run (best of 20, before
 * and after each model's run: on a shared machine the fastest is the ceiling), with
 *
 * <pre>
 *   FLOPs per token = 6 · (N_matmul + N_lora) + 12 · layers · seq · (heads · head_dim)
 *   N_matmul = every weight on the matmul path (projections, MLP, lm_head; not the embedding lookup)
 * </pre>
 *
 * the usual 6N rule (2 forward, 4 backward) plus attention scores. With LoRA the frozen weights
 * need no weight gradient, so the work really done is nearer
 * {@code 4 · N_matmul + 6 · N_lora + attention}; that ratio is printed too ("LoRA-exact"), and the
 * 6N ratio can exceed 1. Run it with
 *
 * <pre>
 *   mvn -q -pl trainer -am install -DskipTests
 *   mvn -q -pl trainer dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   DJL_OFFLINE=true OPT_OUT_TRACKING=true java -cp trainer/target/classes:$(cat /tmp/cp.txt) \
 *       io.adapterops.trainer.bench.TrainBench
 * </pre>
 */
public final class TrainBench {

    private static final int SEQ = 256;
    private static final int WARMUP_STEPS = 2;

    private TrainBench() {
    }

    /** About 20M parameters: hidden 384, 8 layers, 6 heads over 2 KV heads, vocab 8192, untied. */
    static LlamaConfig twentyMillion() {
        return new LlamaConfig("llama", 8192, 384, 1024, 8, 6, 2, 64, 1e-5, 500000.0, null, 4096, false, false, false,
                null, List.of(TinyModels.tokenId("<|endoftext|>")));
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("train-bench");
        try {
            Path data = tmp.resolve("helpdesk.jsonl");
            try (InputStream in = TrainBench.class.getResourceAsStream("/datasets/it-helpdesk-sft.jsonl")) {
                Files.copy(in, data);
            }
            System.out.printf("device %s%n", Engines.device());
            System.out.printf("%-5s %8s %9s %6s %10s %13s %14s %10s %14s %13s%n", "model", "params", "lora", "steps",
                    "tok/s", "GFLOP/token", "train GFLOP/s", "6N/matmul", "LoRA-exact/mm", "peak RSS MiB");
            run("tiny", TinyModels.llama(), 30, data, tmp);
            run("20M", twentyMillion(), 8, data, tmp);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String name, LlamaConfig c, int steps, Path data, Path tmp) throws Exception {
        Path base = TinyModels.write(tmp.resolve(name), c, 1);
        TrainingConfig cfg = TrainingConfig.fromMap(Map.of("lora_rank", 16, "lora_alpha", 32, "max_steps", steps,
                "per_device_train_batch_size", 4, "cutoff_len", SEQ, "packing", true, "val_size", 0,
                "save_steps", 0, "eval_steps", 0, "learning_rate", 1e-4));
        double matmulBefore = matmulFlops(1024);
        long[] last = {0};
        double[] tokensAndSeconds = {0, 0};
        new Trainer().train(new TrainingRequest(base, data, tmp.resolve(name + "-work"), cfg, null), p -> {
            long now = System.nanoTime();
            if (p.step() > WARMUP_STEPS) {
                double dt = (now - last[0]) / 1e9;
                tokensAndSeconds[0] += p.tokensPerSecond() * dt; // ≈ this step's tokens
                tokensAndSeconds[1] += dt;
            }
            last[0] = now;
        }, () -> false);
        double matmul = Math.max(matmulBefore, matmulFlops(1024));
        double tokS = tokensAndSeconds[0] / tokensAndSeconds[1];
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long h = c.hiddenSize();
        long nMatmul = c.numHiddenLayers() * (2 * h * q + 2 * h * kv + 3 * h * c.intermediateSize())
                + (long) c.vocabSize() * h;
        long nLora = c.numHiddenLayers() * 16L * ((h + q) * 2 + (h + kv) * 2 + (h + c.intermediateSize()) * 3);
        double attention = 12.0 * c.numHiddenLayers() * SEQ * q;
        double perToken = 6.0 * (nMatmul + nLora) + attention;
        double loraExact = 4.0 * nMatmul + 6.0 * nLora + attention;
        double achieved = perToken * tokS;
        long params = nMatmul + (long) c.vocabSize() * h;
        System.out.printf("%-5s %7.1fM %8.2fM %6d %10.0f %13.4f %14.2f %10.3f %14.3f %13d%n", name, params / 1e6,
                nLora / 1e6, steps, tokS, perToken / 1e9, achieved / 1e9, achieved / matmul,
                loraExact * tokS / matmul, Rss.peak() >> 20);
        MemoryEstimate m = MemoryEstimate.of(c, cfg, "cpu()", Long.MAX_VALUE);
        System.out.printf("      matmul ceiling %.1f GFLOP/s; memory estimate: weights %.1f MiB, activations %.1f MiB, "
                        + "optimizer %.1f MiB%n", matmul / 1e9, m.weightsBytes() / 1048576.0,
                m.activationBytes() / 1048576.0, m.optimizerBytes() / 1048576.0);
    }

    /** The best of 20 timed 1024³ matmuls: the machine is shared, so the fastest run is the ceiling. */
    private static double matmulFlops(int n) {
        try (NDManager m = Engines.newManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 23; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.get(0, 0).getFloat();
                }
                if (i >= 3) {
                    best = Math.min(best, System.nanoTime() - t0);
                }
            }
            return 2.0 * n * n * n / (best / 1e9);
        }
    }
}

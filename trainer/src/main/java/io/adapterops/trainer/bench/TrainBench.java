package io.adapterops.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adapterops.llm.Engines;
import io.adapterops.llm.LlamaConfig;
import io.adapterops.llm.TinyModels;
import io.adapterops.llm.bench.Rss;
import io.adapterops.trainer.BatchShapes;
import io.adapterops.trainer.MemoryEstimate;
import io.adapterops.trainer.Trainer;
import io.adapterops.trainer.TrainingConfig;
import io.adapterops.trainer.TrainingRequest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * 6N ratio can exceed 1. On a shared machine wall time measures the neighbours as much as the
 * step, so every figure is also given per CPU-second of this process ({@code tok/CPU-s}, the
 * matmul ceiling as the best GFLOP per CPU-second): at one PyTorch thread that is the step's own
 * cost.
 *
 * <p>{@code --peer [rounds]} runs the ~20M model only, alternating with {@code bench/peer_lora_step.py}
 * (plain PyTorch eager under {@code /usr/bin/python3}, the same shapes, LoRA targets, AdamW and
 * clipping; {@code PEER_PYTHON} and {@code -Dadapterops.peer} override the interpreter and script,
 * {@code PEER_MKL} gives its PyTorch MKL for BLAS, as ours has)
 * for {@code rounds} rounds (default 3), and prints both sides' tokens/s, the step-time ratio
 * (ours / peer's, below 1 is faster) and both matmul ceilings; a round whose ceilings differ by
 * more than 10% is flagged and left out of the ratio's summary. Run it with
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
    private static final int PEER_STEPS = 8;
    private static final int BATCH = 4;
    private static final String HEADER = String.format("%-5s %8s %9s %6s %10s %10s %13s %14s %10s %14s %13s",
            "model", "params", "lora", "steps", "tok/s", "tok/CPU-s", "GFLOP/token", "train GFLOP/s", "6N/matmul",
            "LoRA-exact/mm", "peak RSS MiB");

    /** One side's measurement: wall and CPU-time throughput, the matmul ceilings, the LoRA-exact FLOPs per token. */
    record Speed(double tokensPerSecond, double tokensPerCpuSecond, double matmulWall, double matmulCpu,
                 double loraExactPerToken, double tokensPerRow, double paddedWidth) {

        /** Share of this run's matmul ceiling (per CPU-second) reached on the LoRA-exact count. */
        double loraExactShare() {
            return loraExactPerToken * tokensPerCpuSecond / matmulCpu;
        }
    }

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
            System.out.printf("device %s, %s PyTorch thread(s), glibc malloc %s%n", Engines.device(), threads(),
                    mallocSettings());
            if (args.length > 0 && args[0].equals("--peer")) {
                System.out.println("peer BLAS: " + peerMkl().map(p -> "MKL, " + p + " (PEER_MKL)")
                        .orElse("Debian's libblas.so.3 (OpenBLAS when libopenblas0 is installed; PEER_MKL for MKL)"));
                peer(args.length > 1 ? Integer.parseInt(args[1]) : 3, data, tmp);
                return;
            }
            System.out.println(HEADER);
            run("tiny", TinyModels.llama(), 30, data, tmp, false);
            run("20M", twentyMillion(), PEER_STEPS, data, tmp, false);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Speed run(String name, LlamaConfig c, int steps, Path data, Path tmp, boolean withShapes)
            throws Exception {
        Path base = TinyModels.write(Files.createTempDirectory(tmp, name), c, 1);
        Path work = Files.createTempDirectory(tmp, name + "-work");
        TrainingConfig cfg = TrainingConfig.fromMap(Map.of("lora_rank", 16, "lora_alpha", 32, "max_steps", steps,
                "per_device_train_batch_size", BATCH, "cutoff_len", SEQ, "packing", true, "val_size", 0,
                "save_steps", 0, "eval_steps", 0, "learning_rate", 1e-4));
        double[] matmulBefore = matmulFlops(1024);
        long[] last = {0, 0};
        double[] tokensSecondsCpu = {0, 0, 0};
        new Trainer().train(new TrainingRequest(base, data, work, cfg, null), p -> {
            long now = System.nanoTime();
            long cpu = processCpuNanos();
            if (p.step() > WARMUP_STEPS) {
                double dt = (now - last[0]) / 1e9;
                tokensSecondsCpu[0] += p.tokensPerSecond() * dt; // ≈ this step's tokens
                tokensSecondsCpu[1] += dt;
                tokensSecondsCpu[2] += (cpu - last[1]) / 1e9;
            }
            last[0] = now;
            last[1] = cpu;
        }, () -> false);
        double[] matmulAfter = matmulFlops(1024);
        double matmul = Math.max(matmulBefore[0], matmulAfter[0]);
        double matmulCpu = Math.max(matmulBefore[1], matmulAfter[1]);
        double tokS = tokensSecondsCpu[0] / tokensSecondsCpu[1];
        double tokCpuS = tokensSecondsCpu[0] / tokensSecondsCpu[2];
        long nMatmul = nMatmul(c);
        long nLora = nLora(c);
        double perToken = 6.0 * (nMatmul + nLora) + attention(c);
        double loraExact = loraExactPerToken(c);
        double achieved = perToken * tokS;
        long params = nMatmul + (long) c.vocabSize() * c.hiddenSize();
        System.out.printf("%-5s %7.1fM %8.2fM %6d %10.0f %10.0f %13.4f %14.2f %10.3f %14.3f %13d%n", name,
                params / 1e6, nLora / 1e6, steps, tokS, tokCpuS, perToken / 1e9, achieved / 1e9, achieved / matmul,
                loraExact * tokS / matmul, Rss.peak() >> 20);
        MemoryEstimate m = MemoryEstimate.of(c, cfg, "cpu()", Long.MAX_VALUE);
        // only for the peer: reading the batches again loads the model a second time, after the peak RSS is read
        BatchShapes shapes = withShapes ? BatchShapes.of(base, data, cfg, WARMUP_STEPS, steps) : new BatchShapes(0, 0);
        Speed speed = new Speed(tokS, tokCpuS, matmul, matmulCpu, loraExact, shapes.realPerRow(),
                shapes.paddedWidth());
        System.out.printf("      matmul ceiling %.1f GFLOP/s wall, %.1f GFLOP/CPU-s; LoRA-exact/mm per CPU-s %.3f; "
                        + "memory estimate: weights %.1f MiB, activations %.1f MiB, optimizer %.1f MiB%n",
                matmul / 1e9, matmulCpu / 1e9, speed.loraExactShare(), m.weightsBytes() / 1048576.0,
                m.activationBytes() / 1048576.0, m.optimizerBytes() / 1048576.0);
        return speed;
    }

    /**
     * Our 20M step and the PyTorch-eager peer's in turn, {@code rounds} times, in this process and
     * its child; the ratio compares CPU time per token (the machine is shared; at one thread that
     * is each step's own cost), and counts only where both matmul ceilings agree within 10%.
     */
    private static void peer(int rounds, Path data, Path tmp) throws Exception {
        List<Double> counted = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            System.out.println(HEADER);
            Speed ours = run("20M", twentyMillion(), PEER_STEPS, data, tmp, true);
            Speed theirs = runPeer((int) Math.round(ours.paddedWidth()), (int) Math.round(ours.tokensPerRow()));
            double ratio = theirs.tokensPerCpuSecond() / ours.tokensPerCpuSecond(); // our step time / theirs
            double ceilings = ours.matmulCpu() / theirs.matmulCpu();
            boolean comparable = Math.abs(ceilings - 1) <= 0.10;
            if (comparable) {
                counted.add(ratio);
            }
            System.out.printf("round %d: rows %.0f positions wide holding %.0f real tokens on average, the peer "
                    + "likewise (its padding, like ours, is computed and not counted)%n", r, theirs.paddedWidth(),
                    theirs.tokensPerRow());
            System.out.printf("round %d: ours %.0f tok/s (%.0f tok/CPU-s), peer %.0f tok/s (%.0f tok/CPU-s); "
                            + "step time ours/peer %.3f (per CPU-s), %.3f (wall)%n", r, ours.tokensPerSecond(),
                    ours.tokensPerCpuSecond(), theirs.tokensPerSecond(), theirs.tokensPerCpuSecond(), ratio,
                    theirs.tokensPerSecond() / ours.tokensPerSecond());
            System.out.printf("round %d: matmul ceiling ours %.1f, peer %.1f GFLOP/CPU-s (wall %.1f, %.1f GFLOP/s)%s; "
                            + "LoRA-exact share of the ceiling ours %.3f, peer %.3f%n", r, ours.matmulCpu() / 1e9,
                    theirs.matmulCpu() / 1e9, ours.matmulWall() / 1e9, theirs.matmulWall() / 1e9,
                    comparable ? "" : String.format(" DIFFER by %.0f%%: this round's ratio does not count",
                            Math.abs(ceilings - 1) * 100), ours.loraExactShare(), theirs.loraExactShare());
        }
        if (counted.isEmpty()) {
            System.out.println("no round had matching matmul ceilings: no ratio to report");
        } else {
            counted.sort(null);
            System.out.printf("step time ours/peer over %d counted round(s): min %.3f, median %.3f, max %.3f%n",
                    counted.size(), counted.get(0), counted.get(counted.size() / 2), counted.get(counted.size() - 1));
        }
    }

    /**
     * Runs the peer script once at this process's thread count and reads its JSON line: rows
     * {@code width} positions wide holding {@code real} tokens each, the rest padding that carries
     * no label, as our measured batches hold on average.
     */
    private static Speed runPeer(int width, int real) throws Exception {
        String python = System.getenv().getOrDefault("PEER_PYTHON", "/usr/bin/python3");
        String script = System.getProperty("adapterops.peer", "bench/peer_lora_step.py");
        ProcessBuilder pb = new ProcessBuilder(python, script, "--threads", String.valueOf(threads()), "--steps",
                String.valueOf(PEER_STEPS), "--warmup", String.valueOf(WARMUP_STEPS), "--batch", String.valueOf(BATCH),
                "--seq", String.valueOf(width), "--real", String.valueOf(real)).redirectErrorStream(true);
        peerMkl().ifPresent(mkl -> {
            // the peer's PyTorch resolves its BLAS symbols to MKL first; this JVM keeps its own libtorch's
            pb.environment().put("LD_PRELOAD", mkl.toString());
            pb.environment().merge("LD_LIBRARY_PATH", mkl.getParent().toString(), (old, dir) -> dir + ":" + old);
            pb.environment().put("MKL_THREADING_LAYER", "GNU"); // Debian's torch runs GNU OpenMP
            pb.environment().put("MKL_INTERFACE_LAYER", "LP64");
        });
        Process p = pb.start();
        String json = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                all.append(line).append('\n');
                if (line.startsWith("{")) {
                    json = line;
                }
            }
        }
        if (p.waitFor() != 0 || json == null) {
            throw new IllegalStateException("peer " + python + " " + script + " failed (exit " + p.exitValue()
                    + "):\n" + all);
        }
        LlamaConfig c = twentyMillion();
        return new Speed(number(json, "tokens_per_s"), number(json, "tokens_per_cpu_s"), number(json, "matmul_flops"),
                number(json, "matmul_flops_cpu"), loraExactPerToken(c), real, width);
    }

    /** {@code PEER_MKL}: a {@code libmkl_rt.so.2} for the peer's BLAS ({@code bench/peer_mkl.sh} fetches one). */
    private static Optional<Path> peerMkl() {
        String mkl = System.getenv("PEER_MKL");
        if (mkl == null || mkl.isBlank()) {
            return Optional.empty();
        }
        Path lib = Path.of(mkl).toAbsolutePath();
        if (!Files.isRegularFile(lib)) {
            throw new IllegalArgumentException("PEER_MKL=" + mkl + " is not a file (bench/peer_mkl.sh prints one)");
        }
        return Optional.of(lib);
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([0-9.eE+-]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("peer output has no " + key + ": " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The allocator settings this process started with (the launcher sets them; they change the step's speed). */
    private static String mallocSettings() {
        String mmap = System.getenv("MALLOC_MMAP_THRESHOLD_");
        String trim = System.getenv("MALLOC_TRIM_THRESHOLD_");
        return mmap == null && trim == null ? "defaults (dynamic mmap threshold)"
                : "MALLOC_MMAP_THRESHOLD_=" + mmap + " MALLOC_TRIM_THRESHOLD_=" + trim;
    }

    private static int threads() {
        return Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    }

    /**
     * CPU time of this process in nanoseconds: the calling thread's own clock (exact), plus the
     * other threads' {@code schedstat} run times. Neither the JVM's process figure (10 ms ticks)
     * nor a running thread's own {@code schedstat} (it advances by scheduler ticks, 4 ms here) is
     * fine enough for one 1024³ matmul; another running thread's share can still lag by a tick.
     */
    private static long processCpuNanos() {
        long own = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            long sum = own;
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (t.getFileName().toString().equals(self)) {
                    continue;
                }
                try {
                    sum += Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                } catch (java.io.IOException | RuntimeException gone) {
                    // a thread that ended between the listing and the read has nothing left to add
                }
            }
            return sum;
        } catch (java.io.IOException e) {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }

    private static long nMatmul(LlamaConfig c) {
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long h = c.hiddenSize();
        return c.numHiddenLayers() * (2 * h * q + 2 * h * kv + 3 * h * c.intermediateSize()) + (long) c.vocabSize() * h;
    }

    private static long nLora(LlamaConfig c) {
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long h = c.hiddenSize();
        return c.numHiddenLayers() * 16L * ((h + q) * 2 + (h + kv) * 2 + (h + c.intermediateSize()) * 3);
    }

    private static double attention(LlamaConfig c) {
        return 12.0 * c.numHiddenLayers() * SEQ * c.numAttentionHeads() * c.headDim();
    }

    /** FLOPs per token that LoRA training really does: no weight gradient for the frozen base. */
    private static double loraExactPerToken(LlamaConfig c) {
        return 4.0 * nMatmul(c) + 6.0 * nLora(c) + attention(c);
    }

    /**
     * The best of 20 timed 1024³ matmuls, as {wall FLOP/s, FLOP per CPU-second}: the machine may be
     * shared, so the fastest run is the ceiling.
     */
    private static double[] matmulFlops(int n) {
        try (NDManager m = Engines.newManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            long best = Long.MAX_VALUE;
            long bestCpu = Long.MAX_VALUE;
            for (int i = 0; i < 23; i++) {
                long t0 = System.nanoTime();
                long c0 = processCpuNanos();
                try (NDArray c = a.matMul(b)) {
                    c.get(0, 0).getFloat();
                }
                if (i >= 3) {
                    best = Math.min(best, System.nanoTime() - t0);
                    bestCpu = Math.min(bestCpu, processCpuNanos() - c0);
                }
            }
            double flops = 2.0 * n * n * n;
            return new double[] {flops / (best / 1e9), flops / (bestCpu / 1e9)};
        }
    }
}

package io.adapterops.llm.bench;

import io.adapterops.llm.EngineConfig;
import io.adapterops.llm.EngineRequest;
import io.adapterops.llm.EngineResult;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationHandle;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.InferenceEngine;
import io.adapterops.llm.LlamaConfig;
import io.adapterops.llm.LoraConfig;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.llm.Safetensors;
import io.adapterops.llm.TinyModels;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Throughput of the {@link InferenceEngine} on the ~20M-parameter model: aggregate decode tokens/s
 * at 1, 4, 16 and 64 concurrent streams, for the base alone, one adapter on every stream, and 8
 * distinct adapters (or {@code --adapters N}) spread over the streams; time to first token P50/P95
 * under that load; peak RSS.
 * Each stream is a closed-loop client: a 16-token prompt, 64 new tokens (EOS ignored), again;
 * greedy, or drawn at temperature 1 with nucleus {@code --top-p P} (sampling runs on the scheduler
 * thread, so its cost is part of every step).
 *
 * <pre>
 *   ./adapterops bench engine [--streams 1,4,16,64] [--tokens 64] [--rank 8] [--adapters 8] [--rounds 3] [--top-p 0.9]
 * </pre>
 */
public final class EngineBench {

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> streams = List.of(1, 4, 16, 64);
        int tokens = 64;
        int rank = 8;
        int mixed = 8;
        int rounds = 3;
        double topP = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--streams" -> streams = Stream.of(args[i + 1].split(",")).map(Integer::valueOf).toList();
                case "--tokens" -> tokens = Integer.parseInt(args[i + 1]);
                case "--rank" -> rank = Integer.parseInt(args[i + 1]);
                case "--adapters" -> mixed = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--top-p" -> topP = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path tmp = Files.createTempDirectory("engine-bench");
        LlamaConfig c = LlmBench.twentyMillion();
        try (NDManager root = Engines.newManager();
             ModelFolder f = ModelFolder.load(TinyModels.write(tmp.resolve("base20m"), c, 1), root)) {
            LoraConfig lora = new LoraConfig(rank, 2.0 * rank, 0,
                    List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), false, "base20m");
            EngineConfig cfg = EngineConfig.defaults("base20m").withMaxBatch(64).withKvBudget(2L << 30);
            try (InferenceEngine engine = new InferenceEngine(f.model(), f.tokenizer(), Set.of(), f.chatTemplate(), cfg)) {
                for (int a = 0; a < mixed; a++) {
                    Path dir = tmp.resolve("adapter" + a);
                    PeftAdapter.write(dir, lora, adapter(f, lora, a));
                    engine.adapters().register("a" + a, dir);
                }
                System.out.printf("engine bench: 20M Llama (%d layers, hidden %d), LoRA r=%d on all 7 modules, "
                        + "%d new tokens per request, prompt 16; mixed: %d distinct adapters%n", c.numHiddenLayers(),
                        c.hiddenSize(), rank, tokens, mixed);
                if (topP > 0) {
                    System.out.printf("sampled: temperature 1, top-p %s%n", topP);
                }
                run(engine, 8, tokens, "base", 4, mixed, topP); // warm-up
                run(engine, 8, tokens, "mixed", 4, mixed, topP);
                System.out.printf("%d rounds, the three modes alternating in each (medians; ratios are the median of"
                        + " each round's ratio)%n", rounds);
                System.out.printf("%-8s %8s %22s %10s %10s %10s %10s%n", "streams", "mode", "decode tok/s min/med/max",
                        "TTFT P50", "TTFT P95", "vs base", "vs one");
                List<String> modes = List.of("base", "one", "mixed");
                for (int s : streams) {
                    Map<String, List<double[]>> byMode = new LinkedHashMap<>();
                    modes.forEach(m -> byMode.put(m, new ArrayList<>()));
                    for (int round = 0; round < rounds; round++) {
                        for (int k = 0; k < modes.size(); k++) { // a different mode first in each round
                            String mode = modes.get((k + round) % modes.size());
                            byMode.get(mode).add(run(engine, s, tokens, mode, Math.max(2, 16 / s), mixed, topP));
                        }
                    }
                    for (String mode : modes) {
                        List<double[]> r = byMode.get(mode);
                        System.out.printf("%-8d %8s %22s %8.0f ms %8.0f ms %9.0f%% %9s%n", s, mode,
                                String.format("%.0f/%.0f/%.0f", min(r, 0), median(r, 0), max(r, 0)), median(r, 1),
                                median(r, 2), 100 * ratio(r, byMode.get("base")),
                                mode.equals("mixed") ? String.format("%.0f%%", 100 * ratio(r, byMode.get("one"))) : "");
                    }
                }
            }
            System.out.printf("peak RSS %d MiB%n", Rss.peak() >> 20);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double median(List<double[]> runs, int i) {
        double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<double[]> runs, int i) {
        return runs.stream().mapToDouble(r -> r[i]).min().orElseThrow();
    }

    private static double max(List<double[]> runs, int i) {
        return runs.stream().mapToDouble(r -> r[i]).max().orElseThrow();
    }

    /** The median over rounds of this round's tokens/s over the other's, paired so drift between rounds cancels. */
    private static double ratio(List<double[]> runs, List<double[]> other) {
        List<double[]> ratios = new ArrayList<>();
        for (int k = 0; k < runs.size(); k++) {
            ratios.add(new double[] {runs.get(k)[0] / other.get(k)[0]});
        }
        return median(ratios, 0);
    }

    /** Closed-loop clients; returns {aggregate completion tokens/s, TTFT P50 ms, TTFT P95 ms}. */
    private static double[] run(InferenceEngine engine, int streams, int tokens, String mode, int requestsEach,
                                int mixed, double topP)
            throws Exception {
        List<Double> ttft = new ArrayList<>();
        long[] produced = new long[streams];
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int stream = s;
            threads.add(new Thread(() -> {
                Random rnd = new Random(stream);
                for (int q = 0; q < requestsEach; q++) {
                    int[] prompt = new int[16];
                    for (int i = 0; i < prompt.length; i++) {
                        prompt[i] = rnd.nextInt(TinyModels.TOKENIZER_SIZE);
                    }
                    String adapter = switch (mode) {
                        case "one" -> "a0";
                        case "mixed" -> "a" + ((stream + q) % mixed);
                        default -> null;
                    };
                    GenerationOptions o = GenerationOptions.greedy(tokens).withAdapter(adapter);
                    if (topP > 0) {
                        o = o.withSampling(1.0, 0, topP, 1000L * stream + q);
                    }
                    try {
                        GenerationHandle h = engine.submit(EngineRequest.ofIds(prompt, o));
                        EngineResult r = h.await(10, TimeUnit.MINUTES);
                        produced[stream] += r.completionTokens();
                        synchronized (ttft) {
                            ttft.add(r.timeToFirstToken().toNanos() / 1e6);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        long t0 = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ttft.sort(null);
        long total = 0;
        for (long p : produced) {
            total += p;
        }
        return new double[] {total / seconds, ttft.get((int) (0.5 * (ttft.size() - 1))),
            ttft.get((int) Math.ceil(0.95 * (ttft.size() - 1)))};
    }

    private static Map<String, Safetensors.Tensor> adapter(ModelFolder f, LoraConfig cfg, long seed) {
        Random rnd = new Random(seed);
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        f.model().adapterShapes(cfg).forEach((k, shape) -> {
            float[] v = new float[(int) (shape[0] * shape[1])];
            boolean isA = k.endsWith("lora_A.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (isA ? (rnd.nextDouble() * 2 - 1) / Math.sqrt(shape[1]) : rnd.nextGaussian() * 0.01);
            }
            t.put(k, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, shape, v));
        });
        return t;
    }
}

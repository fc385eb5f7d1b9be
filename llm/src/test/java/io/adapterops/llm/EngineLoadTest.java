package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adapterops.llm.bench.Rss;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 32 client threads submit, stream, cancel and fail requests over mixed adapters while another
 * unloads and re-registers adapters (rollbacks) and the adapter cache evicts: nothing crashes, every
 * request ends with a result or a typed refusal, and native memory stays flat over 10,000 decode
 * steps. RSS is measured as {@link DecodeMemoryTest} does: fixed pre-touched heap, warm-up until
 * the collector has cycled twice, then the peak over the measured steps.
 */
class EngineLoadTest extends EngineTest {

    private static final int CLIENTS = 32;
    private static final int MEASURED_STEPS = 10_000;

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    @Test
    void cancellingEvictingAndUnloadingUnderConcurrentLoadNeitherCrashesNorLeaks(@TempDir Path tmp) throws Exception {
        try (ModelFolder f = ModelFolder.load(TinyModels.write(tmp.resolve("llama"), TinyModels.llama(), 45), manager)) {
            int adapterCount = 6;
            List<Path> dirs = new ArrayList<>();
            for (int i = 0; i < adapterCount; i++) {
                dirs.add(EngineFixture.adapter(f, tmp.resolve("a" + i), 2 + 2 * (i % 3), i % 2 == 0 ? LoraTest.ALL
                        : List.of("q_proj", "v_proj", "down_proj"), 100 + i));
            }
            EngineConfig cfg = EngineFixture.config(f).withMaxBatch(24).withMaxWaiting(16)
                    .withAdapterBudget(3 * 4L * 6 * 1024 * 2); // room for about three of the six
            try (InferenceEngine engine = EngineFixture.endless(f, cfg)) {
                for (int i = 0; i < adapterCount; i++) {
                    engine.adapters().register("a" + i, dirs.get(i));
                }
                int[] probe = {10, 20, 30, 40};
                int[] before = EngineFixture.await(engine.submit(
                        EngineRequest.ofIds(probe, EngineFixture.greedy(20, "a1")))).tokenIds();

                AtomicBoolean stop = new AtomicBoolean();
                Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
                List<Throwable> unexpected = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    threads.add(new Thread(() -> {
                        Random rnd = new Random(client);
                        while (!stop.get()) {
                            int a = rnd.nextInt(adapterCount + 1);
                            String adapter = a == adapterCount ? null : "a" + a;
                            int[] prompt = new int[1 + rnd.nextInt(12)];
                            for (int i = 0; i < prompt.length; i++) {
                                prompt[i] = rnd.nextInt(260);
                            }
                            GenerationOptions o = EngineFixture.greedy(4 + rnd.nextInt(60), adapter);
                            if (rnd.nextInt(4) == 0) {
                                o = o.withSampling(0.8, 20, 0.9, rnd.nextLong());
                            }
                            try {
                                GenerationHandle h = engine.submit(EngineRequest.ofIds(prompt, o));
                                int cancelAfter = rnd.nextInt(5) == 0 ? rnd.nextInt(8) : -1;
                                int seen = 0;
                                while (h.next() != null) {
                                    if (++seen == cancelAfter) {
                                        h.cancel();
                                    }
                                }
                                EngineResult r = h.await(60, TimeUnit.SECONDS);
                                outcomes.computeIfAbsent(r.finishReason().name(), k -> new AtomicLong()).incrementAndGet();
                            } catch (EngineOverloadedException | UnknownAdapterException e) {
                                outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong())
                                        .incrementAndGet();
                                sleep(2);
                            } catch (Throwable t) {
                                synchronized (unexpected) {
                                    unexpected.add(t);
                                }
                            }
                        }
                    }, "client-" + c));
                }
                Thread rollbacks = new Thread(() -> {
                    Random rnd = new Random(7);
                    while (!stop.get()) {
                        int a = 2 + rnd.nextInt(adapterCount - 2); // a0 and a1 stay
                        engine.adapters().unload("a" + a);
                        sleep(20);
                        engine.adapters().register("a" + a, dirs.get(a));
                        outcomes.computeIfAbsent("rollbacks", k -> new AtomicLong()).incrementAndGet();
                        sleep(30);
                    }
                }, "rollbacks");
                threads.forEach(Thread::start);
                rollbacks.start();

                long gcs = collections();
                long warmUntil = engine.stats().steps() + 2000;
                while (collections() < gcs + 2 || engine.stats().steps() < warmUntil) {
                    Thread.sleep(20);
                }
                long start = Rss.current();
                long firstStep = engine.stats().steps();
                long peak = start;
                long t0 = System.nanoTime();
                List<Long> trace = new ArrayList<>();
                while (engine.stats().steps() < firstStep + MEASURED_STEPS) {
                    Thread.sleep(20);
                    long rss = Rss.current();
                    peak = Math.max(peak, rss);
                    if ((engine.stats().steps() - firstStep) / 1000 >= trace.size()) {
                        trace.add(rss >> 20);
                    }
                }
                System.out.println("RSS MiB every 1,000 steps: " + trace + ", kv " + engine.stats().kvBytes());
                double seconds = (System.nanoTime() - t0) / 1e9;
                stop.set(true);
                for (Thread t : threads) {
                    t.join(120_000);
                }
                rollbacks.join(10_000);

                // Transient spikes (JIT compiler arenas, thread stacks) come and go; a leak raises the level.
                long growth = (median(trace.subList(trace.size() - 3, trace.size()))
                        - median(trace.subList(0, 3))) << 20;
                System.out.printf("engine under load: %d decode steps in %.1f s with %d clients, RSS %d MiB after warm-up,"
                        + " peak %d MiB, growth (median of the last three samples - first three) %.1f MiB; outcomes %s%n", MEASURED_STEPS, seconds, CLIENTS, start >> 20,
                        peak >> 20, growth / 1048576.0, outcomes);
                assertEquals(List.of(), unexpected, "every request ends with a result or a typed refusal");
                assertTrue(outcomes.containsKey("CANCELLED") && outcomes.containsKey("LENGTH"), outcomes.toString());
                assertTrue(growth < 50L << 20, "RSS grew by " + (growth >> 20) + " MiB");
                // A result is handed over before its row leaves the batch at the scheduler's next step.
                for (int i = 0; i < 500 && engine.stats().running() > 0; i++) {
                    Thread.sleep(10);
                }
                assertEquals(0, engine.stats().running());
                assertTrue(engine.adapters().usedBytes() <= engine.adapters().budgetBytes());
                int[] after = EngineFixture.await(engine.submit(
                        EngineRequest.ofIds(probe, EngineFixture.greedy(20, "a1")))).tokenIds();
                assertArrayEquals(before, after, "the engine answers as before the load");
            }
        }
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.adapterops.llm.bench.Rss;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native memory stays flat over a long generation. The first thousands of steps also grow RSS by
 * the Java heap's first touch of its young generation (~100 KB of garbage per step, measured at
 * ~200 MiB, then flat for 6,000 more steps); the warm-up runs until the collector has cycled twice
 * so that the measured window sees native growth, not heap first-touch.
 */
class DecodeMemoryTest {

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    @Test
    void thousandDecodeStepsKeepResidentMemoryFlat(@TempDir Path tmp) throws Exception {
        try (NDManager manager = Engines.newManager();
             ModelFolder f = ModelFolder.load(TinyModels.write(tmp, TinyModels.llama(), 5), manager)) {
            f.model().addAdapter("a", new LoraConfig(4, 8, 0, LoraTest.ALL, false, "tiny"), 1);
            Generator g = new Generator(f.model(), f.tokenizer(), Set.of(), f.padId());
            GenerationOptions o = GenerationOptions.greedy(1000).withAdapter("a");
            long warmStart = Rss.current();
            long gcs = collections();
            for (int i = 0; i < 10 && collections() < gcs + 2; i++) {
                g.generateIds(List.of(new int[] {1, 2, 3}), o, null);
            }
            long start = Rss.current();
            AtomicLong peak = new AtomicLong(start);
            AtomicInteger steps = new AtomicInteger();
            Generator.Result r = g.generateIds(List.of(new int[] {4, 5, 6}), o, t -> {
                if (steps.incrementAndGet() % 50 == 0) {
                    peak.accumulateAndGet(Rss.current(), Math::max);
                }
            }).get(0);
            assertEquals(1000, r.tokenIds().length);
            long growth = peak.get() - start;
            System.out.printf("decode 1000 steps: RSS %d MiB before warm-up, %d MiB after, peak over 1000 steps %d MiB,"
                    + " growth %.1f MiB%n", warmStart >> 20, start >> 20, peak.get() >> 20, growth / 1048576.0);
            assertTrue(start > 0, "RSS readable");
            assertTrue(growth < 50L << 20, "RSS grew by " + (growth >> 20) + " MiB");
        }
    }
}

package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.Feature;
import io.adapterops.monitoring.drift.TextFeatures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RollingWindowTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aSummaryCountsRequestsRefusalsAndFeedbackInTheWindowOnly() {
        RollingWindow window = new RollingWindow(Duration.ofMinutes(1), 10, 0);
        window.record(new RequestEvent(T0, 100, false, TextFeatures.of("hello there", "hi")));
        window.record(new RequestEvent(T0.plusSeconds(30), 200, true, null));
        window.recordFeedback(T0.plusSeconds(40), true);
        window.recordFeedback(T0.plusSeconds(50), true);
        window.recordFeedback(T0.plusSeconds(55), false);

        WindowSummary now = window.summarize(T0.plusSeconds(59));
        assertEquals(2, now.requests());
        assertEquals(0.5, now.refusalRate());
        assertEquals(2.0 / 3, now.satisfaction(), 1e-12);
        assertEquals(1, now.prompts().rows());
        assertEquals(2, now.prompts().numeric(Feature.PROMPT_TOKENS).mean());

        WindowSummary later = window.summarize(T0.plus(Duration.ofMinutes(10)));
        assertEquals(0, later.requests(), "ten minutes on, the first minute has left the window");
        assertTrue(Double.isNaN(later.satisfaction()));
    }

    @Test
    void anEventOlderThanTheWindowIsDropped() {
        RollingWindow window = new RollingWindow(Duration.ofMinutes(1), 5, 0);
        window.record(new RequestEvent(T0.plus(Duration.ofMinutes(10)), 50, false, null));
        window.record(new RequestEvent(T0, 50, false, null));
        assertEquals(1, window.summarize(T0.plus(Duration.ofMinutes(10))).requests());
    }

    @Test
    void p95LatencyIsWithinOnePercentOfTheExactValue() {
        RollingWindow window = new RollingWindow(Duration.ofMinutes(1), 60, 0);
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double latency = 80 + (i * 7919 % 20_000) / 10.0; // 80 .. 2079.9 ms, each once
            latencies.add(latency);
            window.record(new RequestEvent(T0.plusMillis(i), latency, false, null));
        }
        latencies.sort(null);
        double exact = latencies.get((int) Math.ceil(0.95 * latencies.size()) - 1);
        double p95 = window.summarize(T0.plusSeconds(30)).p95LatencyMs();
        assertEquals(exact, p95, exact * 0.01);
    }

    @Test
    void concurrentRecordersLoseNoRequest() throws Exception {
        RollingWindow window = new RollingWindow(Duration.ofMinutes(1), 60, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 25_000; i++) {
                    window.record(new RequestEvent(T0.plusMillis(i), 10, i % 10 == 0, null));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        WindowSummary summary = window.summarize(T0.plusSeconds(30));
        assertEquals(100_000, summary.requests());
        assertEquals(10_000, summary.refused());
    }
}

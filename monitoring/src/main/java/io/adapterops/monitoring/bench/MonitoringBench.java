package io.adapterops.monitoring.bench;

import io.adapterops.monitoring.Baseline;
import io.adapterops.monitoring.DegradationPolicy;
import io.adapterops.monitoring.RequestEvent;
import io.adapterops.monitoring.RetrainingRule;
import io.adapterops.monitoring.RollingWindow;
import io.adapterops.monitoring.WindowSummary;
import io.adapterops.monitoring.drift.DriftDetector;
import io.adapterops.monitoring.drift.DriftOptions;
import io.adapterops.monitoring.drift.DriftReport;
import io.adapterops.monitoring.drift.FeatureProfile;
import io.adapterops.monitoring.drift.ProfileJson;
import io.adapterops.monitoring.drift.TextFeatures;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code ./adapterops bench monitoring [requests]}: logs synthetic requests (default 1,000,000)
 * into a one-hour rolling window of one-minute buckets, then times what the scheduled job does:
 * summarising the window, drift detection against a small and a large reference profile, and one
 * retraining-rule assessment. Prints each timing (median of 15 runs after 15 warm-up runs) and the peak heap.
 */
public final class MonitoringBench {

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
    private static final int REPEATS = 15;

    private MonitoringBench() { }

    public static void main(String[] args) {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        SplittableRandom random = new SplittableRandom(1);

        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            prompts.add(prompt(random, i % 10 == 0));
        }
        TextFeatures[] features = new TextFeatures[prompts.size()];
        // the first pass warms the JIT up; the second is timed
        double featureMicros = 0;
        for (int pass = 0; pass < 2; pass++) {
            long t = System.nanoTime();
            for (int i = 0; i < features.length; i++) {
                features[i] = TextFeatures.of(prompts.get(i), "sure, here is the answer");
            }
            featureMicros = (System.nanoTime() - t) / 1e3 / features.length;
        }

        RollingWindow window = new RollingWindow(Duration.ofMinutes(1), 60, 7);
        long windowMillis = window.length().toMillis();
        long t = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            Instant at = START.plusMillis(i * windowMillis / requests);
            window.record(new RequestEvent(at, 150 + random.nextDouble() * random.nextDouble() * 900,
                    i % 50 == 0, features[i % features.length]));
            if (i % 20 == 0) {
                window.recordFeedback(at, i % 200 != 0);
            }
        }
        double logSeconds = (System.nanoTime() - t) / 1e9;

        Instant now = START.plusMillis(windowMillis - 1);
        WindowSummary[] summary = new WindowSummary[1];
        double summarizeMs = medianMillis(() -> summary[0] = window.summarize(now));

        FeatureProfile smallReference = FeatureProfile.ofDataset(prompts.subList(0, 800), null);
        FeatureProfile largeReference = FeatureProfile.ofDataset(prompts, null);
        DriftDetector detector = new DriftDetector(DriftOptions.defaults());
        DriftReport[] drift = new DriftReport[1];
        double smallDriftMs = medianMillis(() -> drift[0] = detector.detect(smallReference, summary[0].prompts()));
        double largeDriftMs = medianMillis(() -> drift[0] = detector.detect(largeReference, summary[0].prompts()));
        String json = ProfileJson.write(largeReference);
        double jsonMs = medianMillis(() -> ProfileJson.read(json));

        Baseline baseline = Baseline.of("bench baseline", summary[0]);
        RetrainingRule rule = new RetrainingRule(DegradationPolicy.defaults());
        double assessMs = medianMillis(() -> rule.assess("bench", baseline, summary[0].measurements(), drift[0],
                Optional.empty(), now));

        WindowSummary s = summary[0];
        System.out.printf(Locale.ROOT, "requests logged      %,d over %s in %d buckets (%,d feedback votes)%n",
                s.requests(), window.length(), 60, s.feedbackUp() + s.feedbackDown());
        System.out.printf(Locale.ROOT, "log (record)         %.3f s total, %.0f ns per request%n", logSeconds,
                logSeconds * 1e9 / requests);
        System.out.printf(Locale.ROOT, "prompt features      %.2f µs per prompt (tokenise, hash, CJK share)%n",
                featureMicros);
        System.out.printf(Locale.ROOT, "summarize window     %.2f ms (p95 %.1f ms, refusal %.4f, satisfaction %.4f)%n",
                summarizeMs, s.p95LatencyMs(), s.refusalRate(), s.satisfaction());
        System.out.printf(Locale.ROOT, "drift, 800-row ref   %.2f ms (K-S on 1,000-value samples, chi-squared)%n",
                smallDriftMs);
        System.out.printf(Locale.ROOT, "drift, 5,000-row ref %.2f ms (Wasserstein, Jensen-Shannon)%n", largeDriftMs);
        System.out.printf(Locale.ROOT, "profile JSON         %,d bytes, read in %.2f ms%n", json.length(), jsonMs);
        System.out.printf(Locale.ROOT, "retraining rule      %.3f ms per assessment%n", assessMs);
        System.out.printf(Locale.ROOT, "peak heap            %.0f MiB (sum of heap pools' peaks; -Xmx %.0f MiB)%n",
                peakHeapBytes() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
    }

    /** A support-style prompt of varying length; {@code cjk} ones are Chinese. */
    private static String prompt(SplittableRandom random, boolean cjk) {
        String[] words = cjk ? new String[] {"请", "帮", "我", "翻", "译", "这", "段", "客", "户", "邮", "件"}
                : new String[] {"please", "help", "me", "reset", "my", "password", "order", "refund", "the",
                    "account", "invoice", "summarise", "ticket", "below", "urgent"};
        int length = 3 + (int) (random.nextDouble() * random.nextDouble() * 300);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(words[random.nextInt(words.length)]).append(cjk ? "" : " ");
        }
        return b.toString();
    }

    private static double medianMillis(Runnable work) {
        for (int i = 0; i < REPEATS; i++) {
            work.run();
        }
        double[] ms = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[REPEATS / 2];
    }

    private static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}

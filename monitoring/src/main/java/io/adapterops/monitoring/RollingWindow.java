package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.FeatureProfile;
import io.adapterops.monitoring.drift.Histogram;

import java.time.Duration;
import java.time.Instant;

/**
 * A rolling window over one route's request log and feedback: {@code bucketCount} time buckets of
 * {@code bucketWidth} each, in a ring. A bucket keeps counts, a latency histogram and the prompts'
 * feature profile, so memory is fixed (about 75 KiB a bucket) however many requests arrive, and a
 * summary merges at most {@code bucketCount} buckets, never individual requests.
 *
 * <p>Times come from the events, not from a clock, so replays and tests are deterministic. An
 * event older than the window is dropped. Thread-safe: request threads record while a scheduled
 * job summarises.
 */
public final class RollingWindow {

    private final long bucketMillis;
    private final Bucket[] buckets;
    private final long seed;

    private static final class Bucket {
        final long index;
        long requests;
        long refused;
        long up;
        long down;
        final Histogram latency = new Histogram(Histogram.Bins.LATENCY_MS);
        final FeatureProfile prompts;

        Bucket(long index, long seed) {
            this.index = index;
            // a seed per bucket, so that bucket samples merge as independent uniform samples
            this.prompts = new FeatureProfile(seed + index * 0x9E3779B97F4A7C15L);
        }
    }

    public RollingWindow(Duration bucketWidth, int bucketCount, long seed) {
        if (bucketWidth.toMillis() < 1 || bucketCount < 1) {
            throw new IllegalArgumentException("a window needs buckets of at least 1 ms and at least one bucket, got "
                    + bucketWidth + " x " + bucketCount);
        }
        this.bucketMillis = bucketWidth.toMillis();
        this.buckets = new Bucket[bucketCount];
        this.seed = seed;
    }

    /** The span a summary covers. */
    public Duration length() {
        return Duration.ofMillis(bucketMillis * buckets.length);
    }

    public synchronized void record(RequestEvent event) {
        Bucket b = bucketFor(event.at());
        if (b == null) {
            return;
        }
        b.requests++;
        if (event.refused()) {
            b.refused++;
        }
        b.latency.add(event.latencyMs());
        if (event.features() != null) {
            b.prompts.add(event.features());
        }
    }

    /** A thumbs-up or thumbs-down, counted when it arrives (feedback often comes after its request). */
    public synchronized void recordFeedback(Instant at, boolean up) {
        Bucket b = bucketFor(at);
        if (b == null) {
            return;
        }
        if (up) {
            b.up++;
        } else {
            b.down++;
        }
    }

    /** Everything in the {@code bucketCount} buckets up to and including the one holding {@code now}. */
    public synchronized WindowSummary summarize(Instant now) {
        long last = Math.floorDiv(now.toEpochMilli(), bucketMillis);
        long first = last - buckets.length + 1;
        long requests = 0;
        long refused = 0;
        long up = 0;
        long down = 0;
        Histogram latency = new Histogram(Histogram.Bins.LATENCY_MS);
        FeatureProfile prompts = new FeatureProfile(seed);
        for (Bucket b : buckets) {
            if (b == null || b.index < first || b.index > last) {
                continue;
            }
            requests += b.requests;
            refused += b.refused;
            up += b.up;
            down += b.down;
            latency.merge(b.latency);
            prompts.merge(b.prompts);
        }
        return new WindowSummary(Instant.ofEpochMilli(first * bucketMillis), Instant.ofEpochMilli((last + 1)
                * bucketMillis), requests, refused, up, down, latency.quantile(0.95), prompts);
    }

    private Bucket bucketFor(Instant at) {
        long index = Math.floorDiv(at.toEpochMilli(), bucketMillis);
        int slot = (int) Math.floorMod(index, (long) buckets.length);
        Bucket b = buckets[slot];
        if (b == null || b.index < index) {
            b = new Bucket(index, seed);
            buckets[slot] = b;
        } else if (b.index > index) {
            return null;
        }
        return b;
    }
}

package io.adapterops.service.serving;

import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A per-caller token rate limit: a bucket of {@code tokensPerMinute} refilled continuously, from
 * which each request takes its prompt tokens plus the new tokens it may generate (unused ones are
 * given back). Kept in memory on each replica: behind N replicas a caller may get up to N times the
 * limit, the usual trade-off of a limit that needs no shared store on the request path.
 */
@Singleton
public class CallerTokenBudgets {
    private final long perMinute;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public CallerTokenBudgets(ServingSettings settings) {
        this.perMinute = settings.tokensPerMinute();
    }

    private final class Bucket {
        double tokens = perMinute;
        long at = System.nanoTime();

        void refill(long now) {
            tokens = Math.min(perMinute, tokens + (now - at) / 60e9 * perMinute);
            at = now;
        }
    }

    /** Takes {@code n} tokens from the caller's budget, or refuses with 429 and when to retry. */
    public void take(String caller, int n) {
        if (perMinute <= 0) {
            return;
        }
        Bucket b = buckets.computeIfAbsent(caller, k -> new Bucket());
        synchronized (b) {
            b.refill(System.nanoTime());
            if (n > perMinute) {
                throw OpenAiError.rateLimited("This request needs " + n + " tokens (prompt + max_tokens), more than "
                        + "the limit of " + perMinute + " tokens per minute; lower max_tokens.", 60);
            }
            if (b.tokens < n) {
                long wait = (long) Math.ceil((n - b.tokens) / perMinute * 60);
                throw OpenAiError.rateLimited("Rate limit reached for " + caller + ": " + perMinute
                        + " tokens per minute (prompt + max_tokens); " + (long) b.tokens + " left, this request needs "
                        + n + ". Retry after " + Math.max(1, wait) + " s.", Math.max(1, wait));
            }
            b.tokens -= n;
        }
    }

    /** Gives back tokens a request reserved and did not use. */
    public void giveBack(String caller, int n) {
        if (perMinute <= 0 || n <= 0) {
            return;
        }
        Bucket b = buckets.get(caller);
        if (b != null) {
            synchronized (b) {
                b.refill(System.nanoTime());
                b.tokens = Math.min(perMinute, b.tokens + n);
            }
        }
    }
}

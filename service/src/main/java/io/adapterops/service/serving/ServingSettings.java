package io.adapterops.service.serving;

import io.adapterops.llm.EngineConfig;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Duration;

/** The serving API's settings, {@code adapterops.serving.*} in application.yml. */
@Singleton
public class ServingSettings {
    private final int maxPromptTokens;
    private final int maxNewTokens;
    private final double sampleRate;
    private final Duration logMaxAge;
    private final long logMaxRows;
    private final int shadowQueue;
    private final int shadowWorkers;
    private final Duration shadowDelay;
    private final long tokensPerMinute;
    private final Duration overloadedRetryAfter;
    private final EngineConfig engine;

    public ServingSettings(@Value("${adapterops.serving.max-prompt-tokens:1536}") int maxPromptTokens,
                           @Value("${adapterops.serving.max-new-tokens:512}") int maxNewTokens,
                           @Value("${adapterops.serving.request-log.sample-rate:1.0}") double sampleRate,
                           @Value("${adapterops.serving.request-log.max-age:30d}") Duration logMaxAge,
                           @Value("${adapterops.serving.request-log.max-rows:1000000}") long logMaxRows,
                           @Value("${adapterops.serving.shadow.queue-capacity:64}") int shadowQueue,
                           @Value("${adapterops.serving.shadow.workers:2}") int shadowWorkers,
                           @Value("${adapterops.serving.shadow.delay:0s}") Duration shadowDelay,
                           @Value("${adapterops.serving.rate-limit.tokens-per-minute:0}") long tokensPerMinute,
                           @Value("${adapterops.serving.overloaded-retry-after:1s}") Duration overloadedRetryAfter,
                           @Value("${adapterops.serving.engine.max-batch:32}") int maxBatch,
                           @Value("${adapterops.serving.engine.max-waiting:128}") int maxWaiting,
                           @Value("${adapterops.serving.engine.kv-budget-mb:512}") long kvBudgetMb,
                           @Value("${adapterops.serving.engine.adapter-budget-mb:256}") long adapterBudgetMb) {
        if (sampleRate < 0 || sampleRate > 1) {
            throw new IllegalArgumentException("adapterops.serving.request-log.sample-rate must be in [0, 1], got "
                    + sampleRate);
        }
        this.maxPromptTokens = maxPromptTokens;
        this.maxNewTokens = maxNewTokens;
        this.sampleRate = sampleRate;
        this.logMaxAge = logMaxAge;
        this.logMaxRows = logMaxRows;
        this.shadowQueue = shadowQueue;
        this.shadowWorkers = shadowWorkers;
        this.shadowDelay = shadowDelay;
        this.tokensPerMinute = tokensPerMinute;
        this.overloadedRetryAfter = overloadedRetryAfter;
        this.engine = new EngineConfig(maxBatch, maxWaiting, kvBudgetMb << 20, adapterBudgetMb << 20,
                Math.max(maxNewTokens, 1), null);
    }

    /** A route's prompt limit when it sets none. */
    public int maxPromptTokens() {
        return maxPromptTokens;
    }

    /** A route's new-token limit (and a request's default) when it sets none. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** The share of requests whose prompt and response are kept in the request log. */
    public double sampleRate() {
        return sampleRate;
    }

    public Duration logMaxAge() {
        return logMaxAge;
    }

    public long logMaxRows() {
        return logMaxRows;
    }

    public int shadowQueue() {
        return shadowQueue;
    }

    public int shadowWorkers() {
        return shadowWorkers;
    }

    /** Added before each shadow copy runs: simulates a slow shadow (tests and the serving bench). */
    public Duration shadowDelay() {
        return shadowDelay;
    }

    /** Per caller and replica; 0 switches the limit off. */
    public long tokensPerMinute() {
        return tokensPerMinute;
    }

    public Duration overloadedRetryAfter() {
        return overloadedRetryAfter;
    }

    /** The engine's limits for a base model named {@code base}; its new-token cap covers every route's. */
    public EngineConfig engine(String base, int largestNewTokens) {
        return new EngineConfig(engine.maxBatch(), engine.maxWaiting(), engine.kvBudgetBytes(),
                engine.adapterBudgetBytes(), largestNewTokens, base);
    }
}

package io.adapterops.service.serving;

import io.adapterops.evaluator.metrics.RefusalDetector;
import io.adapterops.llm.EngineOverloadedException;
import io.adapterops.llm.EngineRequest;
import io.adapterops.llm.EngineResult;
import io.adapterops.llm.GenerationOptions;
import io.micrometer.core.instrument.Tags;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs copies of primary requests on a route's shadows, at low priority: a bounded queue (a full
 * queue drops the copy and counts it, the primary never waits), a few workers, and a worker submits
 * to the engine only while no request is waiting there, so a shadow never takes a primary's place.
 * The copy's output, latency and refusal flag go to the request log beside the primary's, and its
 * latency, tokens and refusals to the serving metrics under {@code arm="shadow"} (time spent in this
 * queue not included), so dashboards set it beside champion and challenger; nothing of it reaches
 * the caller.
 */
@Singleton
public class ShadowQueue {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowQueue.class);

    /** One shadow copy of a primary request. */
    record Copy(String route, String baseModel, ServedRoute.Member member, String primaryId, String endpoint,
                int[] prompt, String promptText, GenerationOptions options, String caller, String user,
                boolean sampled) {
    }

    private final BaseModelEngines engines;
    private final RequestLogWriter log;
    private final ServingMetrics metrics;
    private final ServingSettings settings;
    private final RefusalDetector refusals = RefusalDetector.withDefaults();
    private final BlockingQueue<Copy> queue;
    private final List<Thread> workers = new ArrayList<>();

    public ShadowQueue(BaseModelEngines engines, RequestLogWriter log, ServingMetrics metrics, ServingSettings settings) {
        this.engines = engines;
        this.log = log;
        this.metrics = metrics;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.shadowQueue()));
        for (int i = 0; i < settings.shadowWorkers(); i++) {
            Thread t = new Thread(this::work, "shadow-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /** Queues a copy; when the queue is full the copy is dropped and counted. */
    public void offer(Copy copy) {
        if (!queue.offer(copy)) {
            metrics.shadowDropped(tags(copy));
        }
    }

    private static Tags tags(Copy c) {
        return ServingMetrics.tags(c.route(), c.member(), ServedRoute.Arm.SHADOW);
    }

    private void work() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Copy copy = queue.take();
                try {
                    run(copy);
                } catch (RuntimeException e) {
                    LOG.warn("shadow copy of {} on {} failed", copy.primaryId(), copy.member().engineName(), e);
                    metrics.shadow(tags(copy), "error");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Copy copy) throws InterruptedException {
        Thread.sleep(settings.shadowDelay().toMillis());
        BaseModelEngines.Loaded loaded = engines.engine(copy.baseModel());
        while (loaded.engine().stats().waiting() > 0) {
            Thread.sleep(2);
        }
        String adapter = engines.adapter(loaded, copy.member());
        long start = System.nanoTime();
        EngineResult r;
        try {
            r = loaded.engine().submit(EngineRequest.ofIds(copy.prompt(), copy.options().withAdapter(adapter)))
                    .await(10, TimeUnit.MINUTES);
        } catch (EngineOverloadedException e) {
            metrics.shadow(tags(copy), "overloaded");
            return;
        } catch (TimeoutException e) {
            metrics.shadow(tags(copy), "error");
            return;
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        double latencyMs = latency.toNanos() / 1e6;
        boolean refusal = refusals.isRefusal(r.text());
        metrics.shadow(tags(copy), "ok");
        metrics.answered(tags(copy), latency, r.timeToFirstToken(), refusal);
        metrics.tokens(tags(copy), r.promptTokens(), r.completionTokens());
        log.write(new LoggedRequest(copy.primaryId() + ":shadow:" + copy.member().engineName(), copy.primaryId(),
                copy.route(), copy.member().adapter(), copy.member().version(), ServedRoute.Arm.SHADOW.tag(),
                copy.endpoint(), copy.caller(), copy.user(), "ok", Completions.finishReason(r.finishReason()),
                r.promptTokens(), r.completionTokens(), latencyMs,
                r.timeToFirstToken() == null ? null : r.timeToFirstToken().toNanos() / 1e6, refusal, copy.sampled(),
                copy.promptText(), r.text(), Instant.now(), null, null));
    }

    @PreDestroy
    void stop() {
        workers.forEach(Thread::interrupt);
    }
}

package io.adapterops.service.mlflow;

import io.adapterops.service.tracing.Tracing;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The background sender: one thread that, every poll interval, sends the head row of each outbox
 * stream. A failed row waits with exponential backoff (its stream waits behind it; other streams go
 * on); while MLflow is unreachable or refuses the credentials, a cheap probe with its own backoff
 * stands in for the whole pass. A row MLflow rejects for good is kept, marked failed, and reported.
 * Each attempt at a row is an {@code mlflow.outbox <kind>} span over its MLflow calls.
 */
@Singleton
public class OutboxSender {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);
    private static final AttributeKey<Long> ROW = AttributeKey.longKey("adapterops.outbox.id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("adapterops.outbox.attempt");

    private final MlflowConfig config;
    private final MlflowOutbox outbox;
    private final OutboxDelivery delivery;
    private final MlflowGateway gateway;
    private final MlflowStatus status;
    /** A probe is one cheap GET: its backoff is capped low, so sending resumes within seconds of MLflow's return. */
    private final Duration probeMax;
    private ScheduledExecutorService executor;
    private volatile boolean stopping;
    private int probeFailures;
    private Instant nextProbeAt = Instant.MIN;
    private final Tracing tracing;

    public OutboxSender(MlflowConfig config, MlflowOutbox outbox, OutboxDelivery delivery, MlflowGateway gateway,
                        MlflowStatus status, @Value("${adapterops.mlflow.probe-max:5s}") Duration probeMax,
                        Tracing tracing) {
        this.tracing = tracing;
        this.probeMax = probeMax;
        this.config = config;
        this.outbox = outbox;
        this.delivery = delivery;
        this.gateway = gateway;
        this.status = status;
    }

    @EventListener
    void start(StartupEvent event) {
        if (!config.remote()) {
            LOG.info("MLflow: no MLFLOW_TRACKING_URI; runs and versions are kept in the AdapterOps database");
            return;
        }
        if (config.problem() != null) {
            LOG.error("MLflow is misconfigured: {}. The service runs on; MLflow writes stay queued until the "
                    + "configuration is fixed and the service restarted", config.problem());
            return;
        }
        LOG.info("MLflow: tracking at {}", config.displayUri());
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlflow-outbox");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::pass, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @EventListener
    void stop(ShutdownEvent event) {
        stopping = true;
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(config.requestTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void pass() {
        try {
            if (status.state() != MlflowStatus.State.CONNECTED && !probe()) {
                return;
            }
            for (OutboxEntry head : outbox.heads()) {
                if (stopping || !sendHead(head)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            // Never let the scheduler drop the task: a database hiccup is retried on the next tick.
            LOG.warn("MLflow outbox pass failed: {}", e.toString());
        }
    }

    private boolean probe() {
        Instant now = Instant.now();
        if (now.isBefore(nextProbeAt)) {
            return false;
        }
        try {
            gateway.probe();
            probeFailures = 0;
            status.succeeded(config.displayUri());
            // Rows that backed off while MLflow was away go now, not when their own backoff ends.
            outbox.dueNow(now);
            return true;
        } catch (MlflowCallException e) {
            probeFailures++;
            Duration wait = backoff(probeFailures);
            nextProbeAt = now.plus(wait.compareTo(probeMax) > 0 ? probeMax : wait);
            status.failed(e);
            return false;
        }
    }

    /** Sends one stream's head row; false when the server as a whole is unusable and the pass should end. */
    private boolean sendHead(OutboxEntry head) {
        Instant now = Instant.now();
        if (head.nextAttemptAt().isAfter(now)
                || !outbox.claim(head, now.plus(config.requestTimeout().multipliedBy(10)), now)) {
            return true;
        }
        int attempt = head.attempts() + 1;
        try {
            tracing.inSpan("mlflow.outbox " + head.kind(), Attributes.of(ROW, head.id(), ATTEMPT, (long) attempt),
                    () -> delivery.deliver(head));
            status.succeeded(config.displayUri());
            return true;
        } catch (OutboxDelivery.NotReady e) {
            outbox.retryLater(head, now.plus(config.backoffInitial()), e.getMessage());
            return true;
        } catch (MlflowCallException e) {
            status.failed(e);
            if (!e.retryable()) {
                outbox.fail(head, e.getMessage());
                return true;
            }
            outbox.retryLater(head, Instant.now().plus(backoff(attempt)), e.getMessage());
            return e.kind() == MlflowCallException.Kind.SERVER;
        } catch (RuntimeException e) {
            LOG.warn("MLflow outbox row {} ({}) failed: {}", head.id(), head.kind(), e.toString());
            outbox.retryLater(head, Instant.now().plus(backoff(attempt)), e.toString());
            return true;
        }
    }

    /** initial · 2^(n-1), capped. */
    private Duration backoff(int failures) {
        Duration d = config.backoffInitial().multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
        return d.compareTo(config.backoffMax()) > 0 ? config.backoffMax() : d;
    }
}

package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * What AdapterOps knows about its connection to MLflow, for {@code GET /api/v1/system/mlflow} and
 * the log. A change of state is logged once (errors carry no credentials), not on every retry.
 */
@Singleton
public class MlflowStatus {
    private static final Logger LOG = LoggerFactory.getLogger(MlflowStatus.class);

    public enum State {
        /** No tracking URI: runs and versions are kept in the AdapterOps database only. */
        EMBEDDED,
        /** The tracking URI or credentials are unusable as configured; writes wait in the outbox. */
        MISCONFIGURED,
        CONNECTING,
        CONNECTED,
        UNREACHABLE,
        /** The server answered 401 or 403. */
        UNAUTHORIZED
    }

    private volatile State state;
    private volatile @Nullable String lastError;
    private volatile @Nullable Instant lastErrorAt;
    private volatile @Nullable Instant lastSuccessAt;

    public MlflowStatus(MlflowConfig config) {
        this.state = !config.remote() ? State.EMBEDDED : config.problem() != null ? State.MISCONFIGURED : State.CONNECTING;
        if (config.problem() != null) {
            lastError = config.problem();
            lastErrorAt = Instant.now();
        }
    }

    public State state() {
        return state;
    }

    public @Nullable String lastError() {
        return lastError;
    }

    public @Nullable Instant lastErrorAt() {
        return lastErrorAt;
    }

    public @Nullable Instant lastSuccessAt() {
        return lastSuccessAt;
    }

    void succeeded(String where) {
        lastSuccessAt = Instant.now();
        if (state != State.CONNECTED) {
            state = State.CONNECTED;
            LOG.info("MLflow at {} is reachable; sending queued writes", where);
        }
    }

    void failed(MlflowCallException e) {
        State next = switch (e.kind()) {
            case TRANSPORT -> State.UNREACHABLE;
            case AUTH -> State.UNAUTHORIZED;
            case SERVER, REJECTED -> state;
        };
        boolean news = next != state || !e.getMessage().equals(lastError);
        lastError = e.getMessage();
        lastErrorAt = Instant.now();
        if (next != state) {
            state = next;
        }
        if (news) {
            if (e.retryable()) {
                LOG.warn("MLflow: {}; writes stay queued and are retried with backoff", e.getMessage());
            } else {
                LOG.error("MLflow refused a write for good: {}", e.getMessage());
            }
        }
    }
}

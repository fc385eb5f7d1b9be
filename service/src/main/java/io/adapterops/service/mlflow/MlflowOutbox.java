package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The transactional outbox of MLflow writes. {@link #enqueue} joins the caller's transaction, so a
 * write is queued exactly when the change it mirrors commits; {@link #complete} deletes sent rows in
 * the same transaction that records what MLflow answered. With no tracking URI nothing is queued.
 */
@Singleton
public class MlflowOutbox {
    private final OutboxRepository rows;
    private final MlflowConfig config;
    private final JsonMapper json;

    public MlflowOutbox(OutboxRepository rows, MlflowConfig config, JsonMapper json) {
        this.rows = rows;
        this.config = config;
        this.json = json;
    }

    public static String runStream(long runId) {
        return "run:" + runId;
    }

    public static String modelStream(String adapter) {
        return "model:" + adapter;
    }

    @Transactional
    public void enqueue(String stream, OutboxKind kind, Object payload) {
        if (!config.remote()) {
            return;
        }
        Instant now = Instant.now();
        try {
            rows.save(new OutboxEntry(null, stream, kind, json.writeValueAsString(payload), 0, now, null, null, null, now));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public <T> T payload(OutboxEntry entry, Class<T> type) {
        try {
            return json.readValue(entry.payload(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the result and removes the sent rows, all or nothing. */
    @Transactional
    public void complete(List<Long> ids, Runnable recordResult) {
        recordResult.run();
        rows.deleteByIdIn(ids);
    }

    public List<OutboxEntry> heads() {
        return rows.heads();
    }

    public List<OutboxEntry> following(OutboxEntry head, int limit) {
        return rows.following(head.stream(), head.id(), limit);
    }

    public boolean claim(OutboxEntry entry, Instant until, Instant now) {
        return rows.claim(entry.id(), until, now) == 1;
    }

    public void retryLater(OutboxEntry entry, Instant next, String error) {
        rows.retryLater(entry.id(), next, truncate(error));
    }

    /** Every waiting row becomes due (MLflow is back; their backoff measured its absence). */
    public void dueNow(Instant now) {
        rows.dueNow(now);
    }

    public void fail(OutboxEntry entry, String error) {
        rows.fail(entry.id(), Instant.now(), truncate(error));
    }

    public boolean hasPending(String stream) {
        return rows.existsByStreamAndFailedAtIsNull(stream);
    }

    public long pending() {
        return rows.countPending();
    }

    public long failed() {
        return rows.countFailed();
    }

    public @Nullable Instant oldestPending() {
        return rows.oldestPending();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}

package io.adapterops.service.serving;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One feedback per served request, in the database so any replica answers the same: a repeat with
 * the same rating and comment is idempotent (counted once), a different one is refused, and an id
 * the request log does not know is refused. The counter moves only for the first, stored, feedback.
 */
@Singleton
public class Feedback {
    static final int MAX_COMMENT = 4000;

    /** Feedback as stored; {@code created} is false for an idempotent repeat. */
    public record Given(String requestId, String rating, @Nullable String comment, Instant createdAt,
                        boolean created) {
    }

    private static final long RETRY_MS = 50;

    private final JdbcOperations jdbc;
    private final RequestLog log;
    private final RequestLogWriter writer;
    private final Duration wait;
    private final ServingMetrics metrics;

    public Feedback(JdbcOperations jdbc, RequestLog log, RequestLogWriter writer, ServingMetrics metrics,
                    @Value("${adapterops.serving.request-log.feedback-wait:1s}") Duration wait) {
        this.jdbc = jdbc;
        this.log = log;
        this.writer = writer;
        this.wait = wait;
        this.metrics = metrics;
    }

    /** {@code up}, {@code down}, or a score 1–5 as text; the metric's rating is up, down or neutral. */
    static String direction(String rating) {
        return switch (rating) {
            case "up", "4", "5" -> "up";
            case "down", "1", "2" -> "down";
            default -> "neutral";
        };
    }

    public Given give(String requestId, String rating, @Nullable String comment, String caller) {
        LoggedRequest request = served(requestId).orElseThrow(() -> OpenAiError.notFound("request_id",
                "No served request has the id '" + requestId + "' (or its log row has passed retention)."));
        String redacted = comment == null ? null : log.redact(comment);
        Optional<Given> existing = find(requestId);
        if (existing.isEmpty()) {
            try {
                Given stored = insert(requestId, rating, redacted, caller);
                metrics.feedback(ServingMetrics.tags(request.route(), request.adapter(), request.version(),
                        request.arm()), direction(rating));
                return stored;
            } catch (DataAccessException e) {
                existing = find(requestId); // a concurrent first feedback won the insert
                if (existing.isEmpty()) {
                    throw e;
                }
            }
        }
        Given before = existing.get();
        if (!before.rating().equals(rating) || !Objects.equals(before.comment(), redacted)) {
            throw OpenAiError.conflict("rating", "Request '" + requestId + "' already has feedback (rating "
                    + before.rating() + (before.comment() == null ? "" : ", comment '" + before.comment() + "'")
                    + "); one feedback per request.");
        }
        return before;
    }

    /**
     * The request's log row. Rows are written just after the answer, so this replica's queue is
     * flushed first, and a row another replica has yet to commit is waited for a little.
     */
    private Optional<LoggedRequest> served(String requestId) {
        writer.flush(wait.toMillis());
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<LoggedRequest> row = log.primary(requestId);
            if (row.isPresent() || System.nanoTime() > deadline) {
                return row;
            }
            try {
                Thread.sleep(RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return row;
            }
        }
    }

    @Transactional
    public Given insert(String requestId, String rating, @Nullable String comment, String caller) {
        Instant now = Instant.now();
        jdbc.prepareStatement("INSERT INTO inference_feedback (request_id, rating, comment, caller, created_at) "
                + "VALUES (?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, requestId);
            ps.setString(2, rating);
            ps.setString(3, comment);
            ps.setString(4, caller);
            ps.setTimestamp(5, Timestamp.from(now));
            return ps.executeUpdate();
        });
        return new Given(requestId, rating, comment, now, true);
    }

    @Transactional(readOnly = true)
    public Optional<Given> find(String requestId) {
        return jdbc.prepareStatement("SELECT rating, comment, created_at FROM inference_feedback WHERE request_id = ?",
                ps -> {
                    ps.setString(1, requestId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(new Given(requestId, rs.getString(1), rs.getString(2),
                                rs.getTimestamp(3).toInstant(), false)) : Optional.empty();
                    }
                });
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.monitoring.RequestEvent;
import io.adapterops.monitoring.RollingWindow;
import io.adapterops.monitoring.WindowSummary;
import io.adapterops.monitoring.drift.TextFeatures;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Summaries of one arm's traffic over a time window, read from the request log and its feedback
 * (the database, so every replica computes the same numbers): request count, refusals, P95 latency,
 * satisfaction, and the profile of the sampled prompts for drift.
 */
@Singleton
public class TrafficWindows {
    private static final int BUCKETS = 60;
    private static final long SEED = 20261203L;
    private static final String USER = "\nuser: ";
    private final JdbcOperations jdbc;

    public TrafficWindows(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** The primary (non-shadow) answers of {@code adapter} v{@code version} on {@code route} in [end - length, end). */
    @Transactional(readOnly = true)
    public WindowSummary summarize(String route, String adapter, int version, Instant end, Duration length) {
        return summarize(route, adapter, version, end, length, "primary_request_id IS NULL");
    }

    /** The mirrored copies {@code adapter} v{@code version} answered as a shadow of {@code route} in [end - length, end). */
    @Transactional(readOnly = true)
    public WindowSummary summarizeShadow(String route, String adapter, int version, Instant end, Duration length) {
        return summarize(route, adapter, version, end, length, "primary_request_id IS NOT NULL AND arm = 'shadow'");
    }

    private WindowSummary summarize(String route, String adapter, int version, Instant end, Duration length,
                                    String which) {
        // One bucket more than the span holds: [start, end) touches BUCKETS + 1 bucket indices when unaligned.
        RollingWindow window = new RollingWindow(length.dividedBy(BUCKETS), BUCKETS + 1, SEED);
        Instant start = end.minus(length);
        jdbc.prepareStatement("SELECT created_at, latency_ms, refusal, sampled, prompt, response FROM inference_request "
                + "WHERE route = ? AND adapter = ? AND version = ? AND " + which + " AND outcome = 'ok' "
                + "AND created_at >= ? AND created_at < ?", ps -> {
            bind(ps, route, adapter, version, start, end);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TextFeatures features = rs.getBoolean(4) && rs.getString(5) != null
                            ? TextFeatures.of(lastUserMessage(rs.getString(5)), rs.getString(6)) : null;
                    window.record(new RequestEvent(rs.getTimestamp(1).toInstant(), rs.getDouble(2), rs.getBoolean(3),
                            features));
                }
            }
            return null;
        });
        jdbc.prepareStatement("SELECT f.created_at, f.rating FROM inference_feedback f JOIN inference_request r "
                + "ON r.id = f.request_id WHERE r.route = ? AND r.adapter = ? AND r.version = ? "
                + "AND f.created_at >= ? AND f.created_at < ?", ps -> {
            bind(ps, route, adapter, version, start, end);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Boolean up = up(rs.getString(2));
                    if (up != null) {
                        window.recordFeedback(rs.getTimestamp(1).toInstant(), up);
                    }
                }
            }
            return null;
        });
        return window.summarize(end.minusNanos(1));
    }

    /**
     * The request log keeps a chat prompt as {@code role: content} lines; the reference profile holds
     * each training row's last user message, so that is what a live prompt is compared as.
     */
    static String lastUserMessage(String logged) {
        int at = logged.lastIndexOf(USER);
        if (!logged.startsWith("user: ") && at < 0) {
            return logged;
        }
        int start = logged.startsWith("user: ") && at < 0 ? USER.length() - 1 : at + USER.length();
        int end = logged.indexOf("\nassistant: ", start);
        return (end < 0 ? logged.substring(start) : logged.substring(start, end)).strip();
    }

    /** A thumb, or a 1–5 score read as one (3 counts for neither), as the feedback API stores it. */
    static Boolean up(String rating) {
        return switch (rating) {
            case "up", "4", "5" -> Boolean.TRUE;
            case "down", "1", "2" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static void bind(java.sql.PreparedStatement ps, String route, String adapter, int version, Instant from,
                             Instant to) throws java.sql.SQLException {
        ps.setString(1, route);
        ps.setString(2, adapter);
        ps.setInt(3, version);
        ps.setTimestamp(4, Timestamp.from(from));
        ps.setTimestamp(5, Timestamp.from(to));
    }
}

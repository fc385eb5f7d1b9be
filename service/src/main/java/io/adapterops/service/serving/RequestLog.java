package io.adapterops.service.serving;

import io.adapterops.service.web.PageView;
import io.adapterops.trainer.data.cleaning.PiiKind;
import io.adapterops.trainer.data.cleaning.PiiScrubber;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request log in the database, shared by every replica: a row per served request and per shadow
 * copy, so feedback can find any request id. Prompt and response are stored for the sampled share
 * only, PII redacted by the dataset-cleaning patterns; rows go by age and by count.
 */
@Singleton
public class RequestLog {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
    static final int MAX_TEXT = 100_000;
    private static final String COLUMNS = "r.id, r.primary_request_id, r.route, r.adapter, r.version, r.arm, r.endpoint, "
            + "r.caller, r.user_id, r.outcome, r.finish_reason, r.prompt_tokens, r.completion_tokens, r.latency_ms, "
            + "r.ttft_ms, r.refusal, r.sampled, r.prompt, r.response, r.created_at, f.rating, f.comment";

    private final JdbcOperations jdbc;
    private final ServingSettings settings;
    private final PiiScrubber pii = new PiiScrubber(EnumSet.allOf(PiiKind.class));

    public RequestLog(JdbcOperations jdbc, ServingSettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** Whether the next request keeps its text; decided once per request so its shadows follow it. */
    public boolean sample() {
        double rate = settings.sampleRate();
        return rate >= 1 || (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate);
    }

    String redact(@Nullable String text) {
        if (text == null) {
            return null;
        }
        String r = pii.redact(text);
        return r.length() <= MAX_TEXT ? r : r.substring(0, MAX_TEXT);
    }

    /** The rows in one transaction, one batched statement. */
    @Transactional
    public void writeAll(List<LoggedRequest> rows) {
        jdbc.prepareStatement("INSERT INTO inference_request (id, primary_request_id, route, adapter, version, arm, "
                + "endpoint, caller, user_id, outcome, finish_reason, prompt_tokens, completion_tokens, latency_ms, "
                + "ttft_ms, refusal, sampled, prompt, response, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            for (LoggedRequest r : rows) {
                bind(ps, r);
                ps.addBatch();
            }
            return ps.executeBatch();
        });
    }

    private void bind(PreparedStatement ps, LoggedRequest r) throws SQLException {
        ps.setString(1, r.id());
        ps.setString(2, r.primaryRequestId());
        ps.setString(3, r.route());
        ps.setString(4, r.adapter());
        ps.setInt(5, r.version());
        ps.setString(6, r.arm());
        ps.setString(7, r.endpoint());
        ps.setString(8, r.caller());
        ps.setString(9, r.userId());
        ps.setString(10, r.outcome());
        ps.setString(11, r.finishReason());
        ps.setInt(12, r.promptTokens());
        ps.setInt(13, r.completionTokens());
        ps.setDouble(14, r.latencyMs());
        if (r.ttftMs() == null) {
            ps.setNull(15, Types.DOUBLE);
        } else {
            ps.setDouble(15, r.ttftMs());
        }
        ps.setBoolean(16, r.refusal());
        ps.setBoolean(17, r.sampled());
        ps.setString(18, r.sampled() ? redact(r.prompt()) : null);
        ps.setString(19, r.sampled() ? redact(r.response()) : null);
        ps.setTimestamp(20, Timestamp.from(r.createdAt()));
    }

    /** A primary request (never a shadow copy) by id. */
    @Transactional(readOnly = true)
    public Optional<LoggedRequest> primary(String id) {
        return jdbc.prepareStatement("SELECT " + COLUMNS + " FROM inference_request r "
                + "LEFT JOIN inference_feedback f ON f.request_id = r.id WHERE r.id = ? AND r.primary_request_id IS NULL",
                ps -> {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                    }
                });
    }

    /** A filter of the log; null fields do not filter. */
    public record Query(@Nullable String route, @Nullable String adapter, @Nullable Integer version,
                        @Nullable String arm, @Nullable Instant from, @Nullable Instant to,
                        @Nullable String primaryRequestId) {
    }

    @Transactional(readOnly = true)
    public PageView<LoggedRequest> search(Query q, int page, int size) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE 1=1");
        add(where, args, "r.route", q.route());
        add(where, args, "r.adapter", q.adapter());
        add(where, args, "r.version", q.version());
        add(where, args, "r.arm", q.arm());
        add(where, args, "r.primary_request_id", q.primaryRequestId());
        if (q.from() != null) {
            where.append(" AND r.created_at >= ?");
            args.add(Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            where.append(" AND r.created_at < ?");
            args.add(Timestamp.from(q.to()));
        }
        long total = jdbc.prepareStatement("SELECT COUNT(*) FROM inference_request r" + where, ps -> {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
        List<LoggedRequest> rows = jdbc.prepareStatement("SELECT " + COLUMNS + " FROM inference_request r "
                + "LEFT JOIN inference_feedback f ON f.request_id = r.id" + where
                + " ORDER BY r.created_at DESC, r.id LIMIT ? OFFSET ?", ps -> {
            bind(ps, args);
            ps.setInt(args.size() + 1, size);
            ps.setLong(args.size() + 2, (long) page * size);
            List<LoggedRequest> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
        return new PageView<>(rows, page, size, total);
    }

    /** Drops rows older than the maximum age, then the oldest beyond the maximum count; returns how many. */
    @Transactional
    public int applyRetention() {
        int byAge = jdbc.prepareStatement("DELETE FROM inference_request WHERE created_at < ?", ps -> {
            ps.setTimestamp(1, Timestamp.from(Instant.now().minus(settings.logMaxAge())));
            return ps.executeUpdate();
        });
        int byCount = jdbc.prepareStatement("DELETE FROM inference_request WHERE created_at < (SELECT created_at FROM "
                + "inference_request ORDER BY created_at DESC LIMIT 1 OFFSET ?)", ps -> {
            ps.setLong(1, settings.logMaxRows() - 1);
            return ps.executeUpdate();
        });
        return byAge + byCount;
    }

    @Scheduled(fixedDelay = "${adapterops.serving.request-log.retention-interval:10m}", initialDelay = "1m")
    void retention() {
        int removed = applyRetention();
        if (removed > 0) {
            LOG.info("request log retention removed {} rows", removed);
        }
    }

    private static void add(StringBuilder where, List<Object> args, String column, @Nullable Object value) {
        if (value != null) {
            where.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    private static LoggedRequest read(ResultSet rs) throws SQLException {
        double ttft = rs.getDouble(15);
        Double ttftMs = rs.wasNull() ? null : ttft;
        return new LoggedRequest(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getInt(12), rs.getInt(13), rs.getDouble(14), ttftMs, rs.getBoolean(16), rs.getBoolean(17),
                rs.getString(18), rs.getString(19), rs.getTimestamp(20).toInstant(), rs.getString(21),
                rs.getString(22));
    }
}

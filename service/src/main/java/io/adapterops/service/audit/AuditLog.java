package io.adapterops.service.audit;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit trail. Writes join the caller's transaction, so an event exists exactly when the change
 * it describes was committed. There is no update or delete path.
 */
@Singleton
public class AuditLog {
    private static final int MAX_REASON = 2000;
    private final AuditEventRepository events;
    private final JdbcOperations jdbc;

    public AuditLog(AuditEventRepository events, JdbcOperations jdbc) {
        this.events = events;
        this.jdbc = jdbc;
    }

    @Transactional
    public AuditEvent record(String actor, String action, String subject, String from, String to, String reason) {
        String r = reason == null || reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
        return events.save(new AuditEvent(null, actor, action, subject, from, to, r, Instant.now()));
    }

    /** A filter of the audit log; null fields do not filter. */
    public record Query(String subject, String actor, Instant from, Instant to) {
    }

    public record Slice(List<AuditEvent> events, long total) {
    }

    @Transactional(readOnly = true)
    public Slice search(Query q, int page, int size) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE 1=1");
        if (q.subject() != null) {
            where.append(" AND subject = ?");
            args.add(q.subject());
        }
        if (q.actor() != null) {
            where.append(" AND actor = ?");
            args.add(q.actor());
        }
        if (q.from() != null) {
            where.append(" AND at >= ?");
            args.add(Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            where.append(" AND at < ?");
            args.add(Timestamp.from(q.to()));
        }
        return jdbc.prepareStatement("SELECT COUNT(*) FROM audit_event" + where, count -> {
            bind(count, args);
            long total;
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
            String sql = "SELECT id, actor, action, subject, from_state, to_state, reason, at FROM audit_event"
                    + where + " ORDER BY id LIMIT ? OFFSET ?";
            List<AuditEvent> rows = jdbc.prepareStatement(sql, select -> {
                bind(select, args);
                select.setInt(args.size() + 1, size);
                select.setLong(args.size() + 2, (long) page * size);
                List<AuditEvent> out = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getTimestamp(8).toInstant()));
                    }
                }
                return out;
            });
            return new Slice(rows, total);
        });
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }
}

package io.adapterops.service.serving;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a route's serving members from the database on every request: one indexed statement, so a
 * rollback or a canary change committed by any replica takes effect on the next request everywhere.
 */
@Singleton
public class ServedRoutes {
    private static final String MEMBERS = "SELECT r.name, r.base_model, r.challenger_percent, r.max_prompt_tokens, "
            + "r.max_new_tokens, m.arm, v.number, v.artifact_uri, a.name FROM route r "
            + "LEFT JOIN (SELECT id AS route_id, champion_id AS version_id, 'CHAMPION' AS arm FROM route "
            + "WHERE champion_id IS NOT NULL UNION ALL SELECT id, challenger_id, 'CHALLENGER' FROM route "
            + "WHERE challenger_id IS NOT NULL UNION ALL SELECT route_id, adapter_version_id, 'SHADOW' FROM route_shadow) m "
            + "ON m.route_id = r.id LEFT JOIN adapter_version v ON v.id = m.version_id "
            + "LEFT JOIN adapter a ON a.id = v.adapter_id WHERE r.name = ? ORDER BY m.arm, v.id";
    private static final String ALL = "SELECT name FROM route ORDER BY name";

    private final JdbcOperations jdbc;

    public ServedRoutes(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    public Optional<ServedRoute> find(String name) {
        return jdbc.prepareStatement(MEMBERS, ps -> {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                ServedRoute route = null;
                List<ServedRoute.Member> members = new ArrayList<>();
                while (rs.next()) {
                    if (route == null) {
                        route = new ServedRoute(rs.getString(1), rs.getString(2), rs.getInt(3),
                                (Integer) rs.getObject(4), (Integer) rs.getObject(5), members);
                    }
                    if (rs.getString(6) != null) {
                        members.add(new ServedRoute.Member(ServedRoute.Arm.valueOf(rs.getString(6)), rs.getString(9),
                                rs.getInt(7), rs.getString(8)));
                    }
                }
                return Optional.ofNullable(route == null ? null : new ServedRoute(route.name(), route.baseModel(),
                        route.challengerPercent(), route.maxPromptTokens(), route.maxNewTokens(), List.copyOf(members)));
            }
        });
    }

    @Transactional(readOnly = true)
    public List<ServedRoute> all() {
        List<String> names = jdbc.prepareStatement(ALL, ps -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
        return names.stream().map(this::find).flatMap(Optional::stream).toList();
    }
}

package io.adapterops.service.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Datasource properties for tests: an H2 file database in a temp dir, or a fresh schema on the
 * PostgreSQL at {@code ADAPTEROPS_TEST_PG_URL} (default jdbc:postgresql://127.0.0.1:5432/test, user
 * postgres, trust auth). With {@code ADAPTEROPS_TEST_PG=required} a missing PostgreSQL fails the run.
 */
public final class TestDatabases {
    private TestDatabases() {
    }

    public static Map<String, Object> h2(Path dataDir) {
        Map<String, Object> p = new HashMap<>();
        p.put("adapterops.data-dir", dataDir.toString());
        return p;
    }

    /** A schema of its own on PostgreSQL; {@link #dropSchema} removes it with everything in it. */
    public record PgSchema(String url, String user, String password, String schema) {
        public Map<String, Object> properties(Path dataDir) {
            Map<String, Object> p = h2(dataDir);
            String sep = url.contains("?") ? "&" : "?";
            p.put("datasources.default.url", url + sep + "currentSchema=" + schema);
            p.put("datasources.default.username", user);
            p.put("datasources.default.password", password);
            p.put("flyway.datasources.default.schemas", schema);
            return p;
        }
    }

    public static PgSchema postgres() {
        String url = env("ADAPTEROPS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = env("ADAPTEROPS_TEST_PG_USER", "postgres");
        String password = env("ADAPTEROPS_TEST_PG_PASSWORD", "");
        String schema = "adapterops_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String why = "PostgreSQL not reachable at " + url + " as " + user + ": " + e.getMessage();
            if ("required".equals(System.getenv("ADAPTEROPS_TEST_PG"))) {
                Assertions.fail(why + " (ADAPTEROPS_TEST_PG=required)");
            }
            Assumptions.abort(why);
        }
        return new PgSchema(url, user, password, schema);
    }

    public static void dropSchema(PgSchema pg) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + pg.schema() + " CASCADE");
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

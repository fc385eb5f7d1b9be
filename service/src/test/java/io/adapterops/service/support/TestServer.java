package io.adapterops.service.support;

import io.micronaut.context.ApplicationContext;
import io.micronaut.core.type.Argument;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The real service on a free loopback port, called over real HTTP. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_TOKEN = "aop_test-admin-token-0123456789";

    private final EmbeddedServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json;

    private TestServer(EmbeddedServer server) {
        this.server = server;
        this.json = server.getApplicationContext().getBean(JsonMapper.class);
    }

    public static TestServer start(Map<String, Object> properties) {
        Map<String, Object> p = new HashMap<>(properties);
        p.put("micronaut.server.port", -1);
        p.put("micronaut.server.host", "127.0.0.1");
        if (!p.containsKey("adapterops.admin-token")) {
            p.put("adapterops.admin-token", ADMIN_TOKEN);
        }
        return new TestServer(ApplicationContext.run(EmbeddedServer.class, p));
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    /** A response: status, content type and body, with the body parsed as JSON where it is JSON. */
    public record Reply(int status, String contentType, String body, Object json) {
        @SuppressWarnings("unchecked")
        public Map<String, Object> map() {
            return (Map<String, Object>) json;
        }

        public Object get(String key) {
            return map().get(key);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Reply call(String method, String path, String token, String body) {
        return call(method, path, token, body, body == null ? null : "application/json");
    }

    public Reply call(String method, String path, String token, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            Object parsed = null;
            if (type.contains("json") && !r.body().isEmpty()) {
                parsed = json.readValue(r.body(), Argument.OBJECT_ARGUMENT);
            }
            return new Reply(r.statusCode(), type, r.body(), parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Reply get(String path, String token) {
        return call("GET", path, token, null);
    }

    public Reply post(String path, String token, String body) {
        return call("POST", path, token, body);
    }

    public String json(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Issues a token through the admin API and returns its secret. */
    public String token(String name, String... roles) {
        return tokenIssuedBy(ADMIN_TOKEN, name, roles);
    }

    public String tokenIssuedBy(String admin, String name, String... roles) {
        Reply r = post("/api/v1/admin/tokens", admin, json(Map.of("name", name, "roles", List.of(roles))));
        if (r.status() != 201) {
            throw new IllegalStateException("could not issue token: " + r);
        }
        return (String) r.get("secret");
    }

    /** Row count of a table, read straight from the database once the request log's queued rows are written. */
    public long rows(String table) {
        context().findBean(io.adapterops.service.serving.RequestLogWriter.class).ifPresent(w -> w.flush(10_000));
        DataSource ds = DelegatingDataSource.unwrapDataSource(context().getBean(DataSource.class));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}

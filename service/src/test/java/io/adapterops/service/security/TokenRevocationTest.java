package io.adapterops.service.security;

import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.TestServer.ADMIN_TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Accepted tokens are cached per replica; a revocation still holds everywhere: at once on the replica
 * that revoked the token, within the cache's time-to-live on another replica of the same database.
 */
class TokenRevocationTest {

    @Test
    void aRevokedTokenIsRefusedAtOnceWhereItWasRevokedAndWithinTheTtlOnTheOtherReplica(@TempDir Path data)
            throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        try (TestServer a = TestServer.start(props(pg, data, "replica-a"));
             TestServer b = TestServer.start(props(pg, data, "replica-b"))) {
            TestServer.Reply issued = a.post("/api/v1/admin/tokens", ADMIN_TOKEN,
                    a.json(Map.of("name", "revoked-app", "roles", List.of("inference"))));
            assertEquals(201, issued.status(), issued.toString());
            String secret = (String) issued.get("secret");
            Object id = ((Map<?, ?>) issued.get("token")).get("id");
            assertEquals(200, a.get("/v1/models", secret).status());
            assertEquals(200, b.get("/v1/models", secret).status(), "b has now cached the token");

            assertEquals(200, a.call("DELETE", "/api/v1/admin/tokens/" + id, ADMIN_TOKEN, null).status());
            assertEquals(401, a.get("/v1/models", secret).status(), "refused at once where it was revoked");
            long revoked = System.nanoTime();
            int status = 200;
            while (status == 200 && System.nanoTime() - revoked < 10_000_000_000L) {
                status = b.get("/v1/models", secret).status();
                Thread.sleep(50);
            }
            double after = (System.nanoTime() - revoked) / 1e9;
            System.out.printf("revoked token refused by the other replica after %.2f s (ttl 1 s)%n", after);
            assertEquals(401, status, "the other replica refuses the revoked token once its cache entry expires");
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }

    private static Map<String, Object> props(TestDatabases.PgSchema pg, Path data, String replica) {
        Map<String, Object> p = pg.properties(data);
        p.put("adapterops.replica-id", replica);
        p.put("adapterops.security.token-cache-ttl", "1s");
        return p;
    }
}

package io.adapterops.service.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Production identity: a signed JWT's {@code sub} is the principal and its {@code roles} claim the roles. */
class JwtTest {
    private static final String SECRET = "a-test-only-hs256-secret-of-at-least-32-bytes!";

    private static String jwt(String subject, List<String> roles, String secret, long expiresInMs) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .subject(subject).claim("roles", roles)
                .expirationTime(new Date(System.currentTimeMillis() + expiresInMs)).build());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    @Test
    void aSignedJwtWithARolesClaimIsAcceptedAndItsRolesApply(@TempDir Path dir) throws Exception {
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("micronaut.security.token.jwt.signatures.secret.generator.secret", SECRET);
        try (TestServer server = TestServer.start(props)) {
            String approver = jwt("carol@example.com", List.of("approver"), SECRET, 60_000);
            assertEquals(200, server.get("/api/v1/adapters", approver).status(), "approver implies viewer");
            assertEquals(403, server.post("/api/v1/adapters", approver,
                    server.json(Map.of("name", "x", "baseModel", Api.BASE))).status(), "approver is no operator");

            String operator = jwt("dave@example.com", List.of("operator"), SECRET, 60_000);
            TestServer.Reply created = server.post("/api/v1/adapters", operator,
                    server.json(Map.of("name", "from-jwt", "baseModel", Api.BASE)));
            assertEquals(201, created.status(), created::toString);
            assertEquals("dave@example.com", created.get("createdBy"));

            assertEquals(401, server.get("/api/v1/adapters",
                    jwt("eve", List.of("admin"), "another-secret-that-is-also-32-bytes-long", 60_000)).status());
            assertEquals(401, server.get("/api/v1/adapters", jwt("eve", List.of("admin"), SECRET, -60_000)).status());
        }
    }
}

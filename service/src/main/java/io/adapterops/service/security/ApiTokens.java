package io.adapterops.service.security;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.web.ApiException;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Issues, checks and revokes the API's opaque bearer tokens. */
@Singleton
public class ApiTokens {
    static final String PREFIX = "aop_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiTokenRepository tokens;
    private final AuditLog audit;
    private final RecentTokens recent;

    public ApiTokens(ApiTokenRepository tokens, AuditLog audit, RecentTokens recent) {
        this.tokens = tokens;
        this.audit = audit;
        this.recent = recent;
    }

    /** A token just issued: the secret is returned this once and never stored. */
    public record Issued(ApiToken token, String secret) {
    }

    @Transactional
    public Issued issue(String name, List<String> roles, String actor) {
        for (String role : roles) {
            if (!Roles.ALL.contains(role)) {
                throw ApiException.badField("roles", "unknown role '" + role + "'; roles are " + Roles.ALL);
            }
        }
        if (roles.isEmpty()) {
            throw ApiException.badField("roles", "a token needs at least one role of " + Roles.ALL);
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiToken saved = tokens.save(new ApiToken(null, name, hash(secret), String.join(",", roles), actor,
                Instant.now(), null));
        audit.record(actor, "token.issued", "token:" + saved.id(), null, null, "name=" + name + " roles=" + roles);
        return new Issued(saved, secret);
    }

    /** Registers a secret given by configuration (e.g. ADAPTEROPS_ADMIN_TOKEN) if it is not known yet. */
    @Transactional
    public void ensure(String secret, String name, List<String> roles) {
        if (tokens.findByTokenHash(hash(secret)).isEmpty()) {
            ApiToken saved = tokens.save(new ApiToken(null, name, hash(secret), String.join(",", roles), "system",
                    Instant.now(), null));
            audit.record("system", "token.configured", "token:" + saved.id(), null, null, "name=" + name);
        }
    }

    @Transactional
    public ApiToken revoke(long id, String actor) {
        ApiToken token = tokens.findById(id).orElseThrow(() -> ApiException.notFound("token", String.valueOf(id)));
        if (token.revokedAt() != null) {
            throw ApiException.conflict("token-revoked", "token " + id + " was revoked at " + token.revokedAt(),
                    Map.of());
        }
        ApiToken revoked = tokens.update(token.revoked(Instant.now()));
        recent.forget(token.tokenHash());
        audit.record(actor, "token.revoked", "token:" + id, null, null, "name=" + token.name());
        return revoked;
    }

    public boolean anyActive() {
        return tokens.countByRevokedAtIsNull() > 0;
    }

    public Optional<Authentication> authenticate(String secret) {
        if (!secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return recent.authenticate(hash(secret), hash -> tokens.findByTokenHashAndRevokedAtIsNull(hash)
                .map(t -> Authentication.build(t.name(), Roles.expand(Arrays.asList(t.roles().split(","))),
                        Map.of("tokenId", t.id()))));
    }

    static String hash(String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

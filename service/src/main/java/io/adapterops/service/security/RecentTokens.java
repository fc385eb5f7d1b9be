package io.adapterops.service.security;

import io.micronaut.context.annotation.Value;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Tokens that authenticated recently, by secret hash, so an inference request costs no database
 * read. Bounded in size and age: a token revoked on this replica is dropped at once, and other
 * replicas stop accepting it within the time-to-live ({@code adapterops.security.token-cache-ttl},
 * 0 turns the cache off). Unknown tokens are never cached, so random guesses cannot fill it.
 */
@Singleton
public class RecentTokens {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(Authentication authentication, long expiresAt) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;

    public RecentTokens(@Value("${adapterops.security.token-cache-ttl:5s}") Duration ttl) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("adapterops.security.token-cache-ttl must not be negative, got " + ttl);
        }
        this.ttlNanos = ttl.toNanos();
    }

    Optional<Authentication> authenticate(String hash, Function<String, Optional<Authentication>> lookup) {
        long now = System.nanoTime();
        Entry hit = entries.get(hash);
        if (hit != null && now - hit.expiresAt() < 0) {
            return Optional.of(hit.authentication());
        }
        Optional<Authentication> found = lookup.apply(hash);
        if (found.isPresent() && ttlNanos > 0) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            entries.put(hash, new Entry(found.get(), now + ttlNanos));
        } else if (hit != null) {
            entries.remove(hash, hit);
        }
        return found;
    }

    void forget(String hash) {
        entries.remove(hash);
    }
}

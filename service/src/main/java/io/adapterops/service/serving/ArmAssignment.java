package io.adapterops.service.serving;

import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Sticky A/B assignment: a user's bucket in [0, 100) is the SHA-256 of route and user id, so a user
 * lands on the same arm on every replica and after restarts, and moves only when the challenger's
 * share changes past their bucket. The challenger answers buckets below its share.
 */
@Singleton
public class ArmAssignment {

    public static int bucket(String route, String user) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((route + '\u0000' + user)
                    .getBytes(StandardCharsets.UTF_8));
            long v = ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
            return (int) (v % 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The member that answers {@code user} on {@code route}; null when the route has no champion. */
    public @Nullable ServedRoute.Member choose(ServedRoute route, String user) {
        ServedRoute.Member challenger = route.challenger();
        if (challenger != null && bucket(route.name(), user) < route.challengerPercent()) {
            return challenger;
        }
        return route.champion();
    }
}

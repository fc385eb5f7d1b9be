package io.adapterops.service.security;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.security.token.DefaultRolesFinder;
import io.micronaut.security.token.RolesFinder;
import io.micronaut.security.token.config.TokenConfiguration;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the {@code roles} claim of a JWT and adds the roles it implies (see {@link Roles}). */
@Singleton
@Replaces(DefaultRolesFinder.class)
public class JwtRoles implements RolesFinder {
    private final DefaultRolesFinder claims;

    public JwtRoles(TokenConfiguration configuration) {
        this.claims = new DefaultRolesFinder(configuration);
    }

    @Override
    @NonNull
    public List<String> resolveRoles(Map<String, Object> attributes) {
        return new ArrayList<>(Roles.expand(claims.resolveRoles(attributes)));
    }
}

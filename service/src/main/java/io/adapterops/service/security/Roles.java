package io.adapterops.service.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The roles of the API. Higher roles imply reading ({@code viewer}); {@code admin} implies all,
 * so a token or JWT names only the roles it was given and the implied ones are added here.
 * {@code inference} is for applications: it may call the OpenAI-compatible {@code /v1} endpoints
 * and nothing else, so it implies no other role.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String APPROVER = "approver";
    public static final String ADMIN = "admin";
    public static final String INFERENCE = "inference";
    public static final List<String> ALL = List.of(VIEWER, OPERATOR, APPROVER, ADMIN, INFERENCE);

    private Roles() {
    }

    public static Set<String> expand(Collection<String> granted) {
        Set<String> roles = new LinkedHashSet<>();
        for (String role : granted) {
            if (!ALL.contains(role)) {
                continue;
            }
            roles.add(role);
            if (role.equals(ADMIN)) {
                roles.addAll(ALL);
            } else if (!role.equals(INFERENCE)) {
                roles.add(VIEWER);
            }
        }
        return roles;
    }
}

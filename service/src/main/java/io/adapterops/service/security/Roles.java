package io.adapterops.service.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The four roles of the API. Higher roles imply reading ({@code viewer}); {@code admin} implies all,
 * so a token or JWT names only the roles it was given and the implied ones are added here.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String APPROVER = "approver";
    public static final String ADMIN = "admin";
    public static final List<String> ALL = List.of(VIEWER, OPERATOR, APPROVER, ADMIN);

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
            } else {
                roles.add(VIEWER);
            }
        }
        return roles;
    }
}

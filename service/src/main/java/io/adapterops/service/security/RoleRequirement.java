package io.adapterops.service.security;

import io.micronaut.http.HttpRequest;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.web.router.RouteAttributes;

import java.util.List;
import java.util.Optional;

/** Why a request was forbidden: the roles its endpoint accepts and the roles the caller has. */
public final class RoleRequirement {
    private RoleRequirement() {
    }

    public static Optional<String> explain(HttpRequest<?> request) {
        return RouteAttributes.getRouteMatch(request).map(route -> route.getRouteInfo().getAnnotationMetadata().stringValues(Secured.class))
                .filter(roles -> roles.length > 0 && Roles.ALL.containsAll(List.of(roles)))
                .map(roles -> {
                    List<String> has = request.getUserPrincipal(Authentication.class)
                            .map(a -> a.getRoles().stream().sorted().toList()).orElse(List.of());
                    return request.getMethodName() + " " + request.getPath() + " needs the role "
                            + String.join(" or ", roles) + "; this token has " + (has.isEmpty() ? "no role" : has);
                });
    }
}

package io.adapterops.service.registry;

import io.adapterops.service.registry.RegistryRequests.Canary;
import io.adapterops.service.registry.RegistryRequests.Decision;
import io.adapterops.service.registry.RegistryRequests.Evaluate;
import io.adapterops.service.registry.RegistryRequests.Justified;
import io.adapterops.service.registry.RegistryRequests.RequestApproval;
import io.adapterops.service.registry.RegistryRequests.Shadow;
import io.adapterops.service.registry.RegistryViews.VersionView;
import io.adapterops.service.security.Roles;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import jakarta.validation.Valid;

import java.util.Map;

/**
 * The lifecycle verbs, one endpoint each, so the OpenAPI document and the role of every move are
 * explicit. Operators move candidates forward; approvers decide (approve, reject, rollback, retire).
 */
@Controller("/api/v1/adapters/{name}/versions/{version}")
@ExecuteOn(TaskExecutors.BLOCKING)
public class VersionTransitionController {
    private final VersionTransitions transitions;

    public VersionTransitionController(VersionTransitions transitions) {
        this.transitions = transitions;
    }

    @Post("/evaluate")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public VersionView evaluate(String name, int version, @Valid @Body Evaluate request, Authentication user) {
        Map<String, Double> scores = request.scores() == null ? Map.of() : request.scores();
        return VersionView.of(transitions.evaluate(name, version, request.passed(), scores, request.reason(),
                user.getName()));
    }

    @Post("/shadow")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public VersionView shadow(String name, int version, @Valid @Body Shadow request, Authentication user) {
        return VersionView.of(transitions.shadow(name, version, request.route(), request.reason(), user.getName()));
    }

    @Post("/unshadow")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public VersionView unshadow(String name, int version, @Nullable @Valid @Body Decision request,
                                Authentication user) {
        return VersionView.of(transitions.unshadow(name, version, reason(request), user.getName()));
    }

    @Post("/canary")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public VersionView canary(String name, int version, @Valid @Body Canary request, Authentication user) {
        return VersionView.of(transitions.canary(name, version, request.trafficPercent(), request.reason(),
                user.getName()));
    }

    @Post("/request-approval")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public VersionView requestApproval(String name, int version, @Nullable @Valid @Body RequestApproval request,
                                       Authentication user) {
        String route = request == null ? null : request.route();
        String reason = request == null ? null : request.reason();
        return VersionView.of(transitions.requestApproval(name, version, route, reason, user.getName()));
    }

    @Post("/approve")
    @Secured({Roles.APPROVER, Roles.ADMIN})
    public VersionView approve(String name, int version, @Nullable @Valid @Body Decision request,
                               Authentication user) {
        return VersionView.of(transitions.approve(name, version, reason(request), user.getName()));
    }

    @Post("/reject")
    @Secured({Roles.APPROVER, Roles.ADMIN})
    public VersionView reject(String name, int version, @Valid @Body Justified request, Authentication user) {
        return VersionView.of(transitions.reject(name, version, request.reason(), user.getName()));
    }

    @Post("/rollback")
    @Secured({Roles.APPROVER, Roles.ADMIN})
    public VersionView rollback(String name, int version, @Valid @Body Justified request, Authentication user) {
        return VersionView.of(transitions.rollback(name, version, request.reason(), user.getName()));
    }

    @Post("/retire")
    @Secured({Roles.APPROVER, Roles.ADMIN})
    public VersionView retire(String name, int version, @Nullable @Valid @Body Decision request,
                              Authentication user) {
        return VersionView.of(transitions.retire(name, version, reason(request), user.getName()));
    }

    private static String reason(@Nullable Decision request) {
        return request == null ? null : request.reason();
    }
}

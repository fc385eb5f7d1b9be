package io.adapterops.service.routing;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionState;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.RouteRequests.AddShadow;
import io.adapterops.service.routing.RouteRequests.CreateRoute;
import io.adapterops.service.routing.RouteRequests.SetChallenger;
import io.adapterops.service.routing.RouteRequests.SetChampion;
import io.adapterops.service.routing.RouteRequests.SetLimits;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.data.model.Sort;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.validation.Valid;

import java.time.Instant;
import java.util.Map;

/** Routes: create and read them, and set who answers (champion, challenger and its share, shadows). */
@Controller("/api/v1/routes")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RouteController {
    private final RouteRepository routes;
    private final VersionTransitions transitions;
    private final AuditLog audit;

    public RouteController(RouteRepository routes, VersionTransitions transitions, AuditLog audit) {
        this.routes = routes;
        this.transitions = transitions;
        this.audit = audit;
    }

    @Post
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    @Transactional
    public HttpResponse<RouteView> create(@Valid @Body CreateRoute request, Authentication user) {
        if (routes.existsByName(request.name())) {
            throw ApiException.conflict("already-exists", "route '" + request.name() + "' already exists",
                    Map.of("field", "name"));
        }
        Route route = routes.save(new Route(null, request.name(), request.baseModel(), request.description(), null,
                null, 0, request.maxPromptTokens(), request.maxNewTokens(), user.getName(), Instant.now(), null));
        audit.record(user.getName(), "route.created", "route:" + route.name(), null, null,
                "base model " + route.baseModel());
        return HttpResponse.created(view(route));
    }

    @Get
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<RouteView> list(@QueryValue(defaultValue = "0") int page,
                                    @QueryValue(defaultValue = "20") int size) {
        return PageView.of(routes.findAll(Paging.of(page, size, Sort.of(Sort.Order.asc("name")))), this::view);
    }

    @Get("/{name}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public RouteView get(String name) {
        return view(transitions.route(name));
    }

    @Put("/{name}/champion")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public RouteView setChampion(String name, @Valid @Body SetChampion request, Authentication user) {
        return view(transitions.setChampion(name, request.adapter(), request.version(), request.reason(),
                user.getName()));
    }

    /** Sets the challenger's traffic share; a SHADOW version of this route is first put on canary. */
    @Put("/{name}/challenger")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public RouteView setChallenger(String name, @Valid @Body SetChallenger request, Authentication user) {
        VersionRef ref = transitions.find(request.adapter(), request.version());
        if (ref.version().state() == VersionState.SHADOW && name.equals(ref.version().routeName())) {
            transitions.canary(request.adapter(), request.version(), request.trafficPercent(), request.reason(),
                    user.getName());
            return view(transitions.route(name));
        }
        return view(transitions.setChallengerPercent(name, request.adapter(), request.version(),
                request.trafficPercent(), request.reason(), user.getName()));
    }

    /** Token limits for each inference request on the route; they apply from the next request on. */
    @Put("/{name}/limits")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    @Transactional
    public RouteView setLimits(String name, @Valid @Body SetLimits request, Authentication user) {
        Route route = transitions.route(name);
        Route updated = routes.update(route.withLimits(request.maxPromptTokens(), request.maxNewTokens()));
        audit.record(user.getName(), "route.limits", "route:" + name, null, null,
                (request.reason() == null ? "" : request.reason() + " ") + "(max prompt tokens "
                        + request.maxPromptTokens() + ", max new tokens " + request.maxNewTokens() + ")");
        return view(updated);
    }

    @Post("/{name}/shadows")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public RouteView addShadow(String name, @Valid @Body AddShadow request, Authentication user) {
        transitions.shadow(request.adapter(), request.version(), name, request.reason(), user.getName());
        return view(transitions.route(name));
    }

    @Delete("/{name}/shadows/{adapter}/{version}")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public RouteView removeShadow(String name, String adapter, int version, Authentication user) {
        VersionRef ref = transitions.find(adapter, version);
        if (!name.equals(ref.version().routeName()) || ref.version().state() != VersionState.SHADOW) {
            throw ApiException.conflict("not-a-shadow", ref.subject() + " is not a shadow of route '" + name + "'",
                    Map.of("currentState", ref.version().state().name()));
        }
        transitions.unshadow(adapter, version, "removed from route '" + name + "'", user.getName());
        return view(transitions.route(name));
    }

    private RouteView view(Route r) {
        return new RouteView(r.name(), r.baseModel(), r.description(),
                r.championId() == null ? null : RouteView.Member.of(transitions.byId(r.championId())),
                r.challengerId() == null ? null : RouteView.Member.of(transitions.byId(r.challengerId())),
                r.challengerPercent(),
                transitions.shadowsOf(r).stream().map(RouteView.Member::of).toList(),
                r.maxPromptTokens(), r.maxNewTokens(), r.createdBy(), r.createdAt());
    }
}

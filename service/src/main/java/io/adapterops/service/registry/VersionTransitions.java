package io.adapterops.service.registry;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.routing.ChampionStint;
import io.adapterops.service.routing.ChampionStintRepository;
import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import io.adapterops.service.routing.RouteShadow;
import io.adapterops.service.routing.RouteShadowRepository;
import io.adapterops.service.web.ApiException;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Performs lifecycle moves. Each public method is one transaction that writes the version, the
 * routes it touches and one audit event per state change; a conflict anywhere rolls back all of it.
 * Routes are updated before versions in every move, so racing moves meet on the same row first and
 * the loser fails its optimistic lock instead of deadlocking.
 */
@Singleton
public class VersionTransitions {
    private final AdapterRepository adapters;
    private final AdapterVersionRepository versions;
    private final EvaluationRepository evaluations;
    private final RouteRepository routes;
    private final RouteShadowRepository shadows;
    private final ChampionStintRepository stints;
    private final AuditLog audit;
    private final JsonMapper json;
    private final ApplicationEventPublisher<VersionMoved> events;

    public VersionTransitions(AdapterRepository adapters, AdapterVersionRepository versions,
                              EvaluationRepository evaluations, RouteRepository routes, RouteShadowRepository shadows,
                              ChampionStintRepository stints, AuditLog audit, JsonMapper json,
                              ApplicationEventPublisher<VersionMoved> events) {
        this.events = events;
        this.adapters = adapters;
        this.versions = versions;
        this.evaluations = evaluations;
        this.routes = routes;
        this.shadows = shadows;
        this.stints = stints;
        this.audit = audit;
        this.json = json;
    }

    public VersionRef find(String adapter, int number) {
        Adapter a = adapters.findByName(adapter).orElseThrow(() -> ApiException.notFound("adapter", adapter));
        AdapterVersion v = versions.findByAdapterIdAndNumber(a.id(), number)
                .orElseThrow(() -> ApiException.notFound("adapter version", VersionRef.subject(adapter, number)));
        return new VersionRef(a, v);
    }

    public Route route(String name) {
        return routes.findByName(name).orElseThrow(() -> ApiException.notFound("route", name));
    }

    @Transactional
    public VersionRef evaluate(String adapter, int number, boolean passed, Map<String, Double> scores,
                               @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        VersionState to = passed ? VersionState.EVALUATED : VersionState.REJECTED;
        Lifecycle.check(ref.subject(), ref.version().state(), Action.EVALUATE, to);
        evaluations.save(new Evaluation(null, ref.version().id(), passed, toJson(scores), reason, actor, Instant.now()));
        return move(ref, ref.version(), Action.EVALUATE, to, actor, reason);
    }

    @Transactional
    public VersionRef shadow(String adapter, int number, String routeName, @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        Lifecycle.check(ref.subject(), ref.version().state(), Action.SHADOW, VersionState.SHADOW);
        Route route = route(routeName);
        sameBaseModel(ref, route);
        routes.update(route);
        shadows.save(new RouteShadow(null, route.id(), ref.version().id()));
        return move(ref, ref.version().onRoute(route.name()), Action.SHADOW, VersionState.SHADOW, actor, reason);
    }

    @Transactional
    public VersionRef unshadow(String adapter, int number, @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        Lifecycle.check(ref.subject(), ref.version().state(), Action.UNSHADOW, VersionState.EVALUATED);
        Route route = route(ref.version().routeName());
        routes.update(route);
        shadows.deleteByRouteIdAndAdapterVersionId(route.id(), ref.version().id());
        return move(ref, ref.version().onRoute(null), Action.UNSHADOW, VersionState.EVALUATED, actor, reason);
    }

    @Transactional
    public VersionRef canary(String adapter, int number, int percent, @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        Lifecycle.check(ref.subject(), ref.version().state(), Action.CANARY, VersionState.CANARY);
        Route route = route(ref.version().routeName());
        if (route.championId() == null) {
            throw ApiException.conflict("no-champion", "route '" + route.name() + "' has no champion to compare "
                    + ref.subject() + " with; a route's first version requests approval straight from EVALUATED",
                    Map.of("route", route.name()));
        }
        if (route.challengerId() != null) {
            throw ApiException.conflict("challenger-taken", "route '" + route.name() + "' already has challenger "
                    + describe(route.challengerId()) + "; reject it or request its approval first",
                    Map.of("route", route.name()));
        }
        routes.update(route.withChallenger(ref.version().id(), percent));
        shadows.deleteByRouteIdAndAdapterVersionId(route.id(), ref.version().id());
        return move(ref, ref.version(), Action.CANARY, VersionState.CANARY, actor,
                withDetail(reason, "traffic " + percent + "%"));
    }

    @Transactional
    public Route setChallengerPercent(String routeName, String adapter, int number, int percent,
                                      @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        Route route = route(routeName);
        if (!ref.version().id().equals(route.challengerId())) {
            throw ApiException.conflict("not-challenger", ref.subject() + " is not the challenger of route '"
                    + routeName + "'; put a SHADOW version on canary to make it the challenger",
                    Map.of("currentState", ref.version().state().name()));
        }
        Route updated = routes.update(route.withChallenger(route.challengerId(), percent));
        audit.record(actor, "route.challenger-traffic", "route:" + routeName, null, null,
                withDetail(reason, ref.subject() + " traffic " + route.challengerPercent() + "% -> " + percent + "%"));
        return updated;
    }

    @Transactional
    public VersionRef requestApproval(String adapter, int number, @Nullable String routeName, @Nullable String reason,
                                      String actor) {
        VersionRef ref = find(adapter, number);
        AdapterVersion v = ref.version();
        Lifecycle.check(ref.subject(), v.state(), Action.REQUEST_APPROVAL, VersionState.PENDING_APPROVAL);
        Route route;
        if (v.state() == VersionState.CANARY) {
            if (routeName != null && !routeName.equals(v.routeName())) {
                throw ApiException.badField("route", ref.subject() + " is on canary on route '" + v.routeName()
                        + "', not '" + routeName + "'");
            }
            route = route(v.routeName());
        } else {
            if (routeName == null) {
                throw ApiException.badField("route", "name the route that " + ref.subject()
                        + " should become the first champion of");
            }
            route = route(routeName);
            sameBaseModel(ref, route);
            if (route.championId() != null || stints.existsByRouteId(route.id())) {
                throw ApiException.conflict("route-has-champion", "route '" + routeName + "' has had a champion; "
                        + ref.subject() + " must go through shadow and canary before approval",
                        Map.of("currentState", v.state().name(), "legalMoves", List.of("shadow", "reject")));
            }
        }
        routes.update(route);
        AdapterVersion requested = v.onRoute(route.name()).requested(actor, route.championId());
        return move(ref, requested, Action.REQUEST_APPROVAL, VersionState.PENDING_APPROVAL, actor, reason);
    }

    @Transactional
    public VersionRef approve(String adapter, int number, @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        AdapterVersion v = ref.version();
        Lifecycle.check(ref.subject(), v.state(), Action.APPROVE, VersionState.CHAMPION);
        if (actor.equals(v.requestedBy())) {
            throw ApiException.forbidden("approval needs a different person from the one who requested it: "
                    + ref.subject() + " was requested by '" + v.requestedBy() + "'");
        }
        Route route = route(v.routeName());
        if (!Objects.equals(route.championId(), v.baselineChampionId())) {
            throw ApiException.conflict("champion-changed", "the champion of route '" + route.name()
                    + "' changed since approval of " + ref.subject() + " was requested (was "
                    + describe(v.baselineChampionId()) + ", now " + describe(route.championId())
                    + "); request approval again", Map.of("currentState", v.state().name(), "route", route.name()));
        }
        Long challenger = v.id().equals(route.challengerId()) ? null : route.challengerId();
        routes.update(route.withChampion(v.id()).withChallenger(challenger, route.challengerPercent()));
        shadows.deleteByRouteIdAndAdapterVersionId(route.id(), v.id());
        if (route.championId() != null) {
            retireIfIdle(route, route.championId(), ref.subject(), actor);
        }
        stints.save(new ChampionStint(null, route.id(), v.id(), Instant.now(), null, null));
        return move(ref, v, Action.APPROVE, VersionState.CHAMPION, actor, reason);
    }

    @Transactional
    public VersionRef reject(String adapter, int number, String reason, String actor) {
        VersionRef ref = find(adapter, number);
        AdapterVersion v = ref.version();
        Lifecycle.check(ref.subject(), v.state(), Action.REJECT, VersionState.REJECTED);
        if (v.routeName() != null) {
            Route route = route(v.routeName());
            boolean challenger = v.id().equals(route.challengerId());
            routes.update(challenger ? route.withChallenger(null, 0) : route);
            shadows.deleteByRouteIdAndAdapterVersionId(route.id(), v.id());
        }
        return move(ref, v, Action.REJECT, VersionState.REJECTED, actor, reason);
    }

    @Transactional
    public VersionRef rollback(String adapter, int number, String reason, String actor) {
        VersionRef ref = find(adapter, number);
        AdapterVersion v = ref.version();
        Lifecycle.check(ref.subject(), v.state(), Action.ROLLBACK, VersionState.ROLLED_BACK);
        List<Route> served = routes.findByChampionIdOrderById(v.id());
        if (served.isEmpty()) {
            throw ApiException.conflict("no-route", ref.subject() + " is not the champion of any route",
                    Map.of("currentState", v.state().name()));
        }
        Map<Route, AdapterVersion> restore = new LinkedHashMap<>();
        for (Route route : served) {
            AdapterVersion previous = previousChampion(route, v.id());
            if (previous == null) {
                throw ApiException.conflict("no-previous-champion", "route '" + route.name()
                        + "' has no previous champion to restore, so " + ref.subject() + " cannot be rolled back",
                        Map.of("currentState", v.state().name(), "route", route.name()));
            }
            restore.put(route, previous);
        }
        for (Map.Entry<Route, AdapterVersion> e : restore.entrySet()) {
            Route route = e.getKey();
            AdapterVersion previous = e.getValue();
            routes.update(route.withChampion(previous.id()));
            stints.findByRouteIdAndEndedAtIsNull(route.id()).ifPresent(s -> stints.update(s.ended("rolled-back")));
            stints.save(new ChampionStint(null, route.id(), previous.id(), Instant.now(), null, null));
        }
        VersionRef rolledBack = move(ref, v, Action.ROLLBACK, VersionState.ROLLED_BACK, actor, reason);
        for (Map.Entry<Route, AdapterVersion> e : restore.entrySet()) {
            AdapterVersion previous = versions.findById(e.getValue().id()).orElseThrow();
            if (previous.state() == VersionState.RETIRED) {
                Adapter owner = adapters.findById(previous.adapterId()).orElseThrow();
                move(new VersionRef(owner, previous), previous, Action.RESTORE, VersionState.CHAMPION, actor,
                        "restored on route '" + e.getKey().name() + "' by rollback of " + ref.subject() + ": " + reason);
            }
        }
        return rolledBack;
    }

    @Transactional
    public VersionRef retire(String adapter, int number, @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        AdapterVersion v = ref.version();
        Lifecycle.check(ref.subject(), v.state(), Action.RETIRE, VersionState.RETIRED);
        List<String> serving = routes.findByChampionIdOrderById(v.id()).stream().map(Route::name).toList();
        if (!serving.isEmpty()) {
            throw ApiException.conflict("still-serving", ref.subject() + " is the champion of route(s) " + serving
                    + "; approve or set another champion there first",
                    Map.of("currentState", v.state().name(), "routes", serving));
        }
        return move(ref, v, Action.RETIRE, VersionState.RETIRED, actor, reason);
    }

    /**
     * Puts a version that is already an approved champion on a route (operators' route API). The
     * displaced version keeps its state: it may still serve elsewhere, and retiring it is an approver's call.
     */
    @Transactional
    public Route setChampion(String routeName, String adapter, int number, @Nullable String reason, String actor) {
        VersionRef ref = find(adapter, number);
        AdapterVersion v = ref.version();
        Route route = route(routeName);
        if (v.state() != VersionState.CHAMPION) {
            throw ApiException.conflict("not-approved", ref.subject() + " is " + v.state()
                    + "; only an approved CHAMPION version can be set as a route's champion",
                    Map.of("currentState", v.state().name(), "legalMoves", Lifecycle.legalActions(v.state())));
        }
        sameBaseModel(ref, route);
        if (v.id().equals(route.championId())) {
            return route;
        }
        Route updated = routes.update(route.withChampion(v.id()));
        stints.findByRouteIdAndEndedAtIsNull(route.id()).ifPresent(s -> stints.update(s.ended("replaced")));
        stints.save(new ChampionStint(null, route.id(), v.id(), Instant.now(), null, null));
        audit.record(actor, "route.champion-set", "route:" + routeName, null, null,
                withDetail(reason, "champion " + describe(route.championId()) + " -> " + ref.subject()));
        return updated;
    }

    /** Ends the old champion's stint; approval retires it once it is champion of no route at all. */
    private void retireIfIdle(Route route, long oldId, String replacement, String actor) {
        stints.findByRouteIdAndEndedAtIsNull(route.id()).ifPresent(s -> stints.update(s.ended("replaced")));
        boolean stillServing = routes.findByChampionIdOrderById(oldId).stream()
                .anyMatch(r -> !r.id().equals(route.id()));
        AdapterVersion old = versions.findById(oldId).orElseThrow();
        if (!stillServing && old.state() == VersionState.CHAMPION) {
            Adapter owner = adapters.findById(old.adapterId()).orElseThrow();
            move(new VersionRef(owner, old), old, Action.RETIRE, VersionState.RETIRED, actor,
                    "replaced by " + replacement + " on route '" + route.name() + "'");
        }
    }

    /** The newest earlier champion of the route that can serve again (retired, or champion elsewhere). */
    private AdapterVersion previousChampion(Route route, long current) {
        for (ChampionStint stint : stints.findByRouteIdOrderByIdDesc(route.id())) {
            if (stint.adapterVersionId() == current) {
                continue;
            }
            AdapterVersion candidate = versions.findById(stint.adapterVersionId()).orElseThrow();
            if (candidate.state() == VersionState.RETIRED || candidate.state() == VersionState.CHAMPION) {
                return candidate;
            }
        }
        return null;
    }

    private VersionRef move(VersionRef ref, AdapterVersion changed, Action action, VersionState to, String actor,
                            @Nullable String reason) {
        VersionState from = ref.version().state();
        Lifecycle.check(ref.subject(), from, action, to);
        AdapterVersion saved = versions.update(changed.withState(to));
        audit.record(actor, "version." + action.verb(), ref.subject(), from.name(), to.name(), reason);
        events.publishEvent(new VersionMoved(ref.adapter().name(), saved.number(), saved.artifactUri(), from, to,
                action, saved.routeName(), actor, reason));
        return new VersionRef(ref.adapter(), saved);
    }

    private void sameBaseModel(VersionRef ref, Route route) {
        if (!ref.adapter().baseModel().equals(route.baseModel())) {
            throw ApiException.badField("route", "route '" + route.name() + "' serves base model '"
                    + route.baseModel() + "' but " + ref.subject() + " was trained on '" + ref.adapter().baseModel() + "'");
        }
    }

    private String describe(@Nullable Long versionId) {
        if (versionId == null) {
            return "none";
        }
        AdapterVersion v = versions.findById(versionId).orElseThrow();
        Adapter a = adapters.findById(v.adapterId()).orElseThrow();
        return VersionRef.subject(a.name(), v.number());
    }

    private static String withDetail(@Nullable String reason, String detail) {
        return reason == null || reason.isBlank() ? detail : reason + " (" + detail + ")";
    }

    private String toJson(Map<String, Double> scores) {
        try {
            return json.writeValueAsString(scores == null ? Map.of() : new LinkedHashMap<>(scores));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Versions a route shows, for the route view. */
    public List<VersionRef> shadowsOf(Route route) {
        List<VersionRef> out = new ArrayList<>();
        for (RouteShadow s : shadows.findByRouteIdOrderById(route.id())) {
            AdapterVersion v = versions.findById(s.adapterVersionId()).orElseThrow();
            out.add(new VersionRef(adapters.findById(v.adapterId()).orElseThrow(), v));
        }
        return out;
    }

    public VersionRef byId(long versionId) {
        AdapterVersion v = versions.findById(versionId).orElseThrow();
        return new VersionRef(adapters.findById(v.adapterId()).orElseThrow(), v);
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.ChampionStint;
import io.adapterops.service.routing.ChampionStintRepository;
import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DESIGN.md's routine schedule: a champion that has served {@code routine-interval} (90 days) since
 * its promotion or the route's last retraining, whichever is later, is retrained with reason
 * "routine", whatever its signals say. Counting from the database, not from a timer, keeps the
 * interval across restarts and replicas; the cool-down applies as for any trigger.
 */
@Singleton
public class RoutineRetraining {
    private final RouteRepository routes;
    private final ChampionStintRepository stints;
    private final VersionTransitions versions;
    private final RetrainingLauncher launcher;
    private final MonitorSettings settings;

    public RoutineRetraining(RouteRepository routes, ChampionStintRepository stints, VersionTransitions versions,
                             RetrainingLauncher launcher, MonitorSettings settings) {
        this.routes = routes;
        this.stints = stints;
        this.versions = versions;
        this.launcher = launcher;
        this.settings = settings;
    }

    /** Fires the retrainings that are due; returns one line per route with a champion. */
    public List<String> fireDue(Instant now) {
        List<String> out = new ArrayList<>();
        for (Route route : routes.findByChampionIdIsNotNullOrderById()) {
            out.add(route.name() + ": " + check(route, now));
        }
        return out;
    }

    private String check(Route route, Instant now) {
        VersionRef champion = versions.byId(route.championId());
        Optional<Instant> promoted = stints.findByRouteIdAndEndedAtIsNull(route.id()).map(ChampionStint::startedAt);
        Optional<Instant> retrained = launcher.lastTrigger(route.name());
        Instant since = later(promoted.orElse(now), retrained.orElse(Instant.MIN));
        Instant due = since.plus(settings.getRoutineInterval());
        if (now.isBefore(due)) {
            return "not due until " + due;
        }
        Instant coolDownEnds = retrained.map(t -> t.plus(settings.getCoolDown())).orElse(Instant.MIN);
        if (now.isBefore(coolDownEnds)) {
            return "due, but cooling down until " + coolDownEnds;
        }
        String reason = "routine retraining of route '" + route.name() + "': " + champion.subject()
                + " champion since " + promoted.map(Instant::toString).orElse("unknown") + ", last retraining "
                + retrained.map(Instant::toString).orElse("never") + ", every " + settings.getRoutineInterval();
        launcher.fire(route, champion, "routine", reason, now);
        return reason;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}

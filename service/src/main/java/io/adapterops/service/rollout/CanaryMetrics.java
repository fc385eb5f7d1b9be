package io.adapterops.service.rollout;

import io.adapterops.monitoring.canary.CanaryVerdict;
import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.data.model.Pageable;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * {@code adapterops_canary_analyses_total{route, outcome}}: canary analyses on this replica by
 * outcome (pass, fail, inconclusive). Every route's three series exist from start-up (and from a
 * rollout's start for a route made later), so a dashboard sees zeros rather than gaps.
 */
@Singleton
public class CanaryMetrics {
    static final String ANALYSES = "adapterops.canary.analyses";
    private static final int MAX_ROUTES = 10_000;

    private final MeterRegistry registry;
    private final RouteRepository routes;

    public CanaryMetrics(MeterRegistry registry, RouteRepository routes) {
        this.registry = registry;
        this.routes = routes;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        for (Route r : routes.findAll(Pageable.from(0, MAX_ROUTES))) {
            register(r.name());
        }
    }

    void register(String route) {
        for (CanaryVerdict.Outcome o : CanaryVerdict.Outcome.values()) {
            counter(route, o);
        }
    }

    void analysed(String route, CanaryVerdict.Outcome outcome) {
        register(route);
        counter(route, outcome).increment();
    }

    private Counter counter(String route, CanaryVerdict.Outcome outcome) {
        return Counter.builder(ANALYSES).tag("route", route).tag("outcome", outcome.id())
                .description("Canary analyses of a challenger against its route's champion, by outcome")
                .register(registry);
    }
}

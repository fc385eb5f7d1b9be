package io.adapterops.service.registry;

import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;

/**
 * {@code adapterops_lifecycle_transitions_total{route, action}}: lifecycle moves that committed, per
 * route (promotions are {@code action="approve"}, rollbacks {@code "rollback"}, the champion they put
 * back {@code "restore"}); Grafana draws them as annotations. A route's series are registered at zero
 * at start-up and on its first move (a shadow or an approval request comes before any promotion), so
 * {@code increase()} sees the step from zero to one. Moves of no route (evaluation) are not counted.
 */
@Singleton
public class LifecycleMetrics {
    static final String METER = "adapterops.lifecycle.transitions";
    private final MeterRegistry registry;
    private final RouteRepository routes;

    public LifecycleMetrics(MeterRegistry registry, RouteRepository routes) {
        this.registry = registry;
        this.routes = routes;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        for (Route route : routes.findByChampionIdIsNotNullOrderById()) {
            register(route.name());
        }
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onMoved(VersionMoved e) {
        if (e.route() == null) {
            return;
        }
        register(e.route());
        counter(e.route(), e.action()).increment();
    }

    private void register(String route) {
        for (Action action : Action.values()) {
            counter(route, action);
        }
    }

    private Counter counter(String route, Action action) {
        return Counter.builder(METER).tag("route", route).tag("action", action.verb())
                .description("Lifecycle moves of adapter versions on a route, by action").register(registry);
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.service.routing.RouteRepository;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;

import java.util.Map;

/**
 * {@code GET /api/v1/routes/{name}/health}: the monitor's latest assessment of the route: each
 * signal's current window against its baseline, drift per feature, and whether a retraining is armed
 * (degraded, or cooling down) and why.
 */
@Controller("/api/v1/routes")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RouteHealthController {
    private final RouteMonitor monitor;
    private final RouteRepository routes;

    public RouteHealthController(RouteMonitor monitor, RouteRepository routes) {
        this.monitor = monitor;
        this.routes = routes;
    }

    @Get("/{name}/health")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Map<String, Object> health(String name) {
        routes.findByName(name).orElseThrow(() -> ApiException.notFound("route", name));
        return monitor.latest(name).orElseGet(() -> Map.of("route", name, "assessed", false, "reason",
                "not assessed yet: the monitor runs every minute on routes with a champion"));
    }
}

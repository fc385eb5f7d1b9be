package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.DriftReport;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retraining rule with its cool-down kept in memory, for one process: remembers when each
 * route last fired, so one incident fires one retraining however often it is assessed. Thread-safe;
 * two threads assessing the same route at once cannot both fire. A clustered service keeps the
 * last firing in its database and calls {@link RetrainingRule} directly instead.
 */
public final class DegradationMonitor {

    private final RetrainingRule rule;
    private final Map<String, Instant> lastFired = new ConcurrentHashMap<>();

    public DegradationMonitor(DegradationPolicy policy) {
        this.rule = new RetrainingRule(policy);
    }

    public Assessment assess(String route, Baseline baseline, Map<Signal, Measurement> current, DriftReport drift,
                             Instant now) {
        Assessment[] result = new Assessment[1];
        lastFired.compute(route, (r, last) -> {
            result[0] = rule.assess(route, baseline, current, drift, Optional.ofNullable(last), now);
            return result[0].fired().isPresent() ? now : last;
        });
        return result[0];
    }

    public Optional<Instant> lastFired(String route) {
        return Optional.ofNullable(lastFired.get(route));
    }
}

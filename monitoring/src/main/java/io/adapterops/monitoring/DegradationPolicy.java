package io.adapterops.monitoring;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The knobs of the retraining rule: a relative tolerance per signal (default 5%), overridable per
 * signal and per route and signal; a minimum sample size before any decision on a signal (default
 * 500, overridable per signal, e.g. lower for a canary suite's cases); and a cool-down after a
 * retraining fires, during which the same route fires no other (default 24 hours). Immutable.
 */
public record DegradationPolicy(double defaultTolerance, Map<String, Double> toleranceBySignal,
                                Map<String, Map<String, Double>> toleranceByRoute, long defaultMinSamples,
                                Map<String, Long> minSamplesBySignal, Duration coolDown) {

    public static final long DEFAULT_MIN_SAMPLES = 500;
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofHours(24);

    public DegradationPolicy {
        requireTolerance("default", defaultTolerance);
        toleranceBySignal.forEach(DegradationPolicy::requireTolerance);
        toleranceByRoute.forEach((route, bySignal) -> bySignal.forEach((signal, t) ->
                requireTolerance(route + "/" + signal, t)));
        if (defaultMinSamples < 1) {
            throw new IllegalArgumentException("minimum sample size must be >= 1, got " + defaultMinSamples);
        }
        minSamplesBySignal.forEach((signal, n) -> {
            if (n < 1) {
                throw new IllegalArgumentException("minimum sample size of " + signal + " must be >= 1, got " + n);
            }
        });
        if (coolDown == null || coolDown.isNegative()) {
            throw new IllegalArgumentException("cool-down must be >= 0, got " + coolDown);
        }
        toleranceBySignal = Map.copyOf(toleranceBySignal);
        Map<String, Map<String, Double>> routes = new HashMap<>();
        toleranceByRoute.forEach((route, bySignal) -> routes.put(route, Map.copyOf(bySignal)));
        toleranceByRoute = Map.copyOf(routes);
        minSamplesBySignal = Map.copyOf(minSamplesBySignal);
    }

    public static DegradationPolicy defaults() {
        return new DegradationPolicy(DegradationRule.DEFAULT_TOLERANCE, Map.of(), Map.of(), DEFAULT_MIN_SAMPLES,
                Map.of(), DEFAULT_COOL_DOWN);
    }

    public DegradationPolicy withTolerance(Signal signal, double tolerance) {
        Map<String, Double> changed = new HashMap<>(toleranceBySignal);
        changed.put(signal.name(), tolerance);
        return new DegradationPolicy(defaultTolerance, changed, toleranceByRoute, defaultMinSamples,
                minSamplesBySignal, coolDown);
    }

    public DegradationPolicy withTolerance(String route, Signal signal, double tolerance) {
        Map<String, Map<String, Double>> changed = new HashMap<>(toleranceByRoute);
        Map<String, Double> bySignal = new HashMap<>(changed.getOrDefault(route, Map.of()));
        bySignal.put(signal.name(), tolerance);
        changed.put(route, bySignal);
        return new DegradationPolicy(defaultTolerance, toleranceBySignal, changed, defaultMinSamples,
                minSamplesBySignal, coolDown);
    }

    public DegradationPolicy withMinSamples(long minSamples) {
        return new DegradationPolicy(defaultTolerance, toleranceBySignal, toleranceByRoute, minSamples,
                minSamplesBySignal, coolDown);
    }

    public DegradationPolicy withMinSamples(Signal signal, long minSamples) {
        Map<String, Long> changed = new HashMap<>(minSamplesBySignal);
        changed.put(signal.name(), minSamples);
        return new DegradationPolicy(defaultTolerance, toleranceBySignal, toleranceByRoute, defaultMinSamples,
                changed, coolDown);
    }

    public DegradationPolicy withCoolDown(Duration duration) {
        return new DegradationPolicy(defaultTolerance, toleranceBySignal, toleranceByRoute, defaultMinSamples,
                minSamplesBySignal, duration);
    }

    /** The most specific tolerance: route and signal, then signal, then the default. */
    public DegradationRule ruleFor(String route, Signal signal) {
        Double byRoute = toleranceByRoute.getOrDefault(route, Map.of()).get(signal.name());
        double tolerance = byRoute != null ? byRoute : toleranceBySignal.getOrDefault(signal.name(), defaultTolerance);
        return new DegradationRule(signal, tolerance);
    }

    public long minSamples(String signalName) {
        return minSamplesBySignal.getOrDefault(signalName, defaultMinSamples);
    }

    private static void requireTolerance(String what, double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance of " + what + " must be a finite number >= 0, got "
                    + tolerance);
        }
    }
}

package io.adapterops.service.rollout;

import io.adapterops.monitoring.DegradationPolicy;
import io.adapterops.monitoring.Signal;
import io.adapterops.service.monitoring.SignalKeys;
import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code adapterops.rollout.*}: how a retrained candidate goes from the gate to approval. The
 * evaluation suites (per route or default), the shadow requests it must answer without regression
 * before its canary, the canary's traffic share, the signals compared with the champion and their
 * tolerances (default 5%, per signal and per route), the samples each arm needs before a decision,
 * how long an undecided shadow or canary may run before it fails safe, and which routes promote a
 * passing candidate to champion without an approver (none by default).
 */
@ConfigurationProperties("adapterops.rollout")
public class RolloutSettings {
    private static final List<Signal> KNOWN = List.of(Signal.SATISFACTION, Signal.REFUSAL_RATE, Signal.P95_LATENCY_MS);

    private List<String> suites = List.of("red-team");
    private Map<String, List<String>> routeSuites = new LinkedHashMap<>();
    private long shadowRequests = 200;
    private Duration shadowMaxDuration = Duration.ofDays(7);
    private List<String> shadowSignals = List.of(Signal.REFUSAL_RATE.name(), Signal.P95_LATENCY_MS.name());
    private int canaryPercent = 10;
    private long canaryMinSamples = 200;
    private Duration canaryMaxDuration = Duration.ofHours(72);
    private List<String> canarySignals = KNOWN.stream().map(Signal::name).toList();
    private double tolerance = 0.05;
    private Map<String, Double> signalTolerance = new LinkedHashMap<>();
    private Map<String, Map<String, Double>> routeTolerance = new LinkedHashMap<>();
    private List<String> autoPromote = List.of();

    public List<String> suitesFor(String route) {
        return routeSuites.getOrDefault(route, suites);
    }

    /** The shadow passes once both arms have answered {@code shadow-requests} with no signal worse. */
    public DegradationPolicy shadowPolicy() {
        return tolerances(DegradationPolicy.defaults().withMinSamples(shadowRequests));
    }

    public DegradationPolicy canaryPolicy() {
        return tolerances(DegradationPolicy.defaults().withMinSamples(canaryMinSamples));
    }

    private DegradationPolicy tolerances(DegradationPolicy p) {
        for (Signal s : KNOWN) {
            p = p.withTolerance(s, signalTolerance.getOrDefault(s.name(), tolerance));
        }
        for (Map.Entry<String, Map<String, Double>> route : routeTolerance.entrySet()) {
            for (Signal s : KNOWN) {
                Double t = route.getValue().get(s.name());
                if (t != null) {
                    p = p.withTolerance(route.getKey(), s, t);
                }
            }
        }
        return p;
    }

    public List<Signal> shadowSignalList() {
        return signals("shadow-signals", shadowSignals);
    }

    public List<Signal> canarySignalList() {
        return signals("canary-signals", canarySignals);
    }

    private static List<Signal> signals(String key, List<String> names) {
        return names.stream().map(n -> KNOWN.stream().filter(s -> s.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("adapterops.rollout." + key + ": unknown signal '" + n
                        + "' (known: " + KNOWN.stream().map(Signal::name).toList() + ")"))).toList();
    }

    public boolean autoPromotes(String route) {
        return autoPromote.contains(route);
    }

    public List<String> getSuites() {
        return suites;
    }

    public void setSuites(List<String> suites) {
        this.suites = List.copyOf(suites);
    }

    public Map<String, List<String>> getRouteSuites() {
        return routeSuites;
    }

    public void setRouteSuites(Map<String, List<String>> routeSuites) {
        this.routeSuites = routeSuites;
    }

    public long getShadowRequests() {
        return shadowRequests;
    }

    public void setShadowRequests(long shadowRequests) {
        if (shadowRequests < 1) {
            throw new IllegalArgumentException("adapterops.rollout.shadow-requests must be >= 1, got " + shadowRequests);
        }
        this.shadowRequests = shadowRequests;
    }

    public Duration getShadowMaxDuration() {
        return shadowMaxDuration;
    }

    public void setShadowMaxDuration(Duration shadowMaxDuration) {
        this.shadowMaxDuration = shadowMaxDuration;
    }

    public List<String> getShadowSignals() {
        return shadowSignals;
    }

    public void setShadowSignals(List<String> shadowSignals) {
        signals("shadow-signals", shadowSignals);
        this.shadowSignals = List.copyOf(shadowSignals);
    }

    public int getCanaryPercent() {
        return canaryPercent;
    }

    public void setCanaryPercent(int canaryPercent) {
        if (canaryPercent < 1 || canaryPercent > 100) {
            throw new IllegalArgumentException("adapterops.rollout.canary-percent must be 1..100, got " + canaryPercent);
        }
        this.canaryPercent = canaryPercent;
    }

    public long getCanaryMinSamples() {
        return canaryMinSamples;
    }

    public void setCanaryMinSamples(long canaryMinSamples) {
        if (canaryMinSamples < 1) {
            throw new IllegalArgumentException("adapterops.rollout.canary-min-samples must be >= 1, got "
                    + canaryMinSamples);
        }
        this.canaryMinSamples = canaryMinSamples;
    }

    public Duration getCanaryMaxDuration() {
        return canaryMaxDuration;
    }

    public void setCanaryMaxDuration(Duration canaryMaxDuration) {
        this.canaryMaxDuration = canaryMaxDuration;
    }

    public List<String> getCanarySignals() {
        return canarySignals;
    }

    public void setCanarySignals(List<String> canarySignals) {
        signals("canary-signals", canarySignals);
        this.canarySignals = List.copyOf(canarySignals);
    }

    public double getTolerance() {
        return tolerance;
    }

    public void setTolerance(double tolerance) {
        this.tolerance = tolerance;
    }

    public Map<String, Double> getSignalTolerance() {
        return signalTolerance;
    }

    public void setSignalTolerance(Map<String, Double> signalTolerance) {
        this.signalTolerance = SignalKeys.bySignalName(signalTolerance);
    }

    public Map<String, Map<String, Double>> getRouteTolerance() {
        return routeTolerance;
    }

    public void setRouteTolerance(Map<String, Map<String, Double>> routeTolerance) {
        this.routeTolerance = SignalKeys.byRouteAndSignalName(routeTolerance);
    }

    public List<String> getAutoPromote() {
        return autoPromote;
    }

    public void setAutoPromote(List<String> autoPromote) {
        this.autoPromote = List.copyOf(autoPromote);
    }
}

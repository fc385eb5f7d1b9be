package io.adapterops.service.monitoring;

import io.adapterops.monitoring.DegradationPolicy;
import io.adapterops.monitoring.Signal;
import io.adapterops.monitoring.drift.DriftOptions;
import io.adapterops.monitoring.drift.Feature;
import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code adapterops.monitoring.*}: the window compared, the relative change each signal may make
 * before it counts as degraded (default 5%, per signal and per route), the sample size below which
 * nothing is decided, the cool-down after a retraining, the PSI threshold of prompt drift, and the
 * interval of routine retraining, and the routes whose feedback becomes training data.
 */
@ConfigurationProperties("adapterops.monitoring")
public class MonitorSettings {
    static final List<Signal> SIGNALS = List.of(Signal.SATISFACTION, Signal.REFUSAL_RATE, Signal.P95_LATENCY_MS,
            Signal.CANARY_SCORE);
    private Duration window = Duration.ofHours(1);
    private double tolerance = 0.05;
    private Map<String, Double> signalTolerance = new LinkedHashMap<>();
    private Map<String, Map<String, Double>> routeTolerance = new LinkedHashMap<>();
    private long minSamples = DegradationPolicy.DEFAULT_MIN_SAMPLES;
    private long canaryMinCases = 10;
    private Duration coolDown = DegradationPolicy.DEFAULT_COOL_DOWN;
    private Duration routineInterval = Duration.ofDays(90);
    private List<String> feedbackDataRoutes = List.of();
    private double psiThreshold = DriftOptions.defaults().psiThreshold();
    private List<String> driftFeatures = Arrays.stream(Feature.values()).map(Feature::id).toList();

    public DegradationPolicy policy() {
        // A canary score's samples are the cases of one suite run, far fewer than requests in a window.
        DegradationPolicy p = DegradationPolicy.defaults().withMinSamples(minSamples)
                .withMinSamples(Signal.CANARY_SCORE, canaryMinCases).withCoolDown(coolDown);
        for (Signal s : SIGNALS) {
            p = p.withTolerance(s, signalTolerance.getOrDefault(s.name(), tolerance));
        }
        for (Map.Entry<String, Map<String, Double>> route : routeTolerance.entrySet()) {
            for (Signal s : SIGNALS) {
                Double t = route.getValue().get(s.name());
                if (t != null) {
                    p = p.withTolerance(route.getKey(), s, t);
                }
            }
        }
        return p;
    }

    public DriftOptions drift() {
        return DriftOptions.defaults().withPsiThreshold(psiThreshold);
    }

    /** Whether prompt drift on {@code feature} counts ({@code adapterops.monitoring.drift-features}, default all). */
    public boolean watches(Feature feature) {
        return driftFeatures.contains(feature.id());
    }

    public List<String> getDriftFeatures() {
        return driftFeatures;
    }

    public void setDriftFeatures(List<String> driftFeatures) {
        List<String> known = Arrays.stream(Feature.values()).map(Feature::id).toList();
        for (String f : driftFeatures) {
            if (!known.contains(f)) {
                throw new IllegalArgumentException("adapterops.monitoring.drift-features: unknown feature '" + f
                        + "' (known: " + known + ")");
            }
        }
        this.driftFeatures = List.copyOf(driftFeatures);
    }

    public Duration getWindow() {
        return window;
    }

    public void setWindow(Duration window) {
        this.window = window;
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

    public long getCanaryMinCases() {
        return canaryMinCases;
    }

    public void setCanaryMinCases(long canaryMinCases) {
        this.canaryMinCases = canaryMinCases;
    }

    public long getMinSamples() {
        return minSamples;
    }

    public void setMinSamples(long minSamples) {
        this.minSamples = minSamples;
    }

    public Duration getCoolDown() {
        return coolDown;
    }

    public void setCoolDown(Duration coolDown) {
        this.coolDown = coolDown;
    }

    /** How long a champion serves before a routine retraining, counted from its promotion or the last retraining. */
    public Duration getRoutineInterval() {
        return routineInterval;
    }

    public void setRoutineInterval(Duration routineInterval) {
        if (routineInterval.isNegative() || routineInterval.isZero()) {
            throw new IllegalArgumentException("adapterops.monitoring.routine-interval must be positive, got "
                    + routineInterval);
        }
        this.routineInterval = routineInterval;
    }

    /** Routes whose retrainings add training rows derived from their feedback (none by default). */
    public List<String> getFeedbackDataRoutes() {
        return feedbackDataRoutes;
    }

    public void setFeedbackDataRoutes(List<String> feedbackDataRoutes) {
        this.feedbackDataRoutes = List.copyOf(feedbackDataRoutes);
    }

    public double getPsiThreshold() {
        return psiThreshold;
    }

    public void setPsiThreshold(double psiThreshold) {
        this.psiThreshold = psiThreshold;
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.monitoring.Baseline;
import io.adapterops.monitoring.Measurement;
import io.adapterops.monitoring.Signal;
import io.adapterops.monitoring.drift.DriftReport;
import io.adapterops.monitoring.drift.Feature;
import io.adapterops.monitoring.drift.FeatureDrift;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The monitor's view in Prometheus, per route: each signal's current value and baseline
 * ({@code adapterops_monitor_signal}, {@code adapterops_monitor_baseline}), each prompt feature's
 * drift statistic and threshold ({@code adapterops_drift_score}, {@code adapterops_drift_threshold}),
 * and retrainings fired by reason ({@code adapterops_retraining_triggers_total}; a route's reasons
 * are registered at zero by each assessment, so {@code increase()} sees even a first firing). A value
 * the last assessment could not compute (no feedback yet, say) is NaN, which Prometheus shows as a gap.
 */
@Singleton
public class MonitorMetrics {
    static final String SIGNAL = "adapterops.monitor.signal";
    static final String BASELINE = "adapterops.monitor.baseline";
    static final String DRIFT = "adapterops.drift.score";
    static final String DRIFT_THRESHOLD = "adapterops.drift.threshold";
    static final String TRIGGERS = "adapterops.retraining.triggers";

    private final MeterRegistry registry;
    private final Map<List<String>, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public MonitorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String route, Baseline baseline, Map<Signal, Measurement> current, DriftReport drift) {
        for (Signal s : MonitorSettings.SIGNALS) {
            Measurement now = current.get(s);
            Measurement base = baseline.values().get(s);
            set(SIGNAL, "route", route, "signal", s.name(), now == null ? Double.NaN : now.value());
            set(BASELINE, "route", route, "signal", s.name(), base == null ? Double.NaN : base.value());
            triggers(route, s.name());
        }
        Map<Feature, FeatureDrift> byFeature = new EnumMap<>(Feature.class);
        if (drift != null) {
            drift.features().forEach(f -> byFeature.put(f.feature(), f));
        }
        for (Feature feature : Feature.values()) {
            FeatureDrift f = byFeature.get(feature);
            set(DRIFT, "route", route, "feature", feature.id(), f == null ? Double.NaN : f.psi());
            set(DRIFT_THRESHOLD, "route", route, "feature", feature.id(), f == null ? Double.NaN : f.psiThreshold());
            triggers(route, "drift." + feature.id());
        }
    }

    void triggered(String route, String reason) {
        triggers(route, reason).increment();
    }

    Counter triggers(String route, String reason) {
        return Counter.builder(TRIGGERS).tag("route", route).tag("reason", reason)
                .description("Retraining jobs the monitor fired, by the signal that fired them").register(registry);
    }

    private void set(String name, String k1, String v1, String k2, String v2, double value) {
        values.computeIfAbsent(List.of(name, v1, v2), key -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, holder, AtomicReference::get).tag(k1, v1).tag(k2, v2).register(registry);
            return holder;
        }).set(value);
    }
}

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
import io.micronaut.core.type.Argument;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.LinkedHashMap;

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
 * The gauge values are stored with each assessment, and every replica reloads them
 * ({@code adapterops.monitoring.gauge-refresh}, 15 s), so whichever replica ran the monitor job, all
 * export the same latest numbers rather than each its own last run.
 */
@Singleton
public class MonitorMetrics {
    static final String SIGNAL = "adapterops.monitor.signal";
    static final String BASELINE = "adapterops.monitor.baseline";
    static final String DRIFT = "adapterops.drift.score";
    static final String DRIFT_THRESHOLD = "adapterops.drift.threshold";
    static final String TRIGGERS = "adapterops.retraining.triggers";
    private static final Map<String, String[]> METERS = Map.of("signal", new String[] {SIGNAL, "signal"},
            "baseline", new String[] {BASELINE, "signal"}, "drift", new String[] {DRIFT, "feature"},
            "drift_threshold", new String[] {DRIFT_THRESHOLD, "feature"});

    private final MeterRegistry registry;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> tx;
    private final JsonMapper json;
    private final Map<List<String>, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public MonitorMetrics(MeterRegistry registry, JdbcOperations jdbc, TransactionOperations<Connection> tx,
                          JsonMapper json) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    /** One assessment's gauge values as {@code meter|label} → value (null where it could not be computed). */
    Map<String, Double> values(Baseline baseline, Map<Signal, Measurement> current, DriftReport drift) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Signal s : MonitorSettings.SIGNALS) {
            Measurement now = current.get(s);
            Measurement base = baseline.values().get(s);
            out.put("signal|" + s.name(), now == null ? null : finite(now.value()));
            out.put("baseline|" + s.name(), base == null ? null : finite(base.value()));
        }
        Map<Feature, FeatureDrift> byFeature = new EnumMap<>(Feature.class);
        if (drift != null) {
            drift.features().forEach(f -> byFeature.put(f.feature(), f));
        }
        for (Feature feature : Feature.values()) {
            FeatureDrift f = byFeature.get(feature);
            out.put("drift|" + feature.id(), f == null ? null : finite(f.psi()));
            out.put("drift_threshold|" + feature.id(), f == null ? null : finite(f.psiThreshold()));
        }
        return out;
    }

    /** Sets a route's gauges to an assessment's values and registers its trigger reasons at zero. */
    void record(String route, Map<String, Double> gauges) {
        gauges.forEach((key, value) -> {
            int bar = key.indexOf('|');
            String[] meter = METERS.get(key.substring(0, bar));
            if (meter == null) {
                return;
            }
            String label = key.substring(bar + 1);
            set(meter[0], "route", route, meter[1], label, value == null ? Double.NaN : value);
            triggers(route, meter[1].equals("signal") ? label : "drift." + label);
        });
    }

    @Scheduled(fixedDelay = "${adapterops.monitoring.gauge-refresh:15s}", initialDelay = "5s")
    void refresh() {
        Map<String, String> bodies = tx.executeRead(status -> jdbc.prepareStatement(
                "SELECT route, body FROM route_assessment", ps -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getString(2));
                        }
                    }
                    return out;
                }));
        bodies.forEach((route, body) -> {
            try {
                Map<String, Object> assessment = json.readValue(body, Argument.mapOf(String.class, Object.class));
                if (assessment.get("gauges") instanceof Map<?, ?> gauges) {
                    Map<String, Double> stored = new LinkedHashMap<>();
                    gauges.forEach((k, v) -> stored.put(String.valueOf(k), v instanceof Number n ? n.doubleValue()
                            : null));
                    record(route, stored);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("stored assessment of route " + route + " is unreadable", e);
            }
        });
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

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

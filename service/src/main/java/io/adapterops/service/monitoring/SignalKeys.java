package io.adapterops.service.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;

/** Configuration keys may arrive kebab-cased ({@code p95-latency-ms}); signals are named with underscores. */
public final class SignalKeys {
    private SignalKeys() {
    }

    public static Map<String, Double> bySignalName(Map<String, Double> byKey) {
        Map<String, Double> out = new LinkedHashMap<>();
        byKey.forEach((k, v) -> out.put(k.replace('-', '_'), v));
        return out;
    }

    /** Per route, as {@link #bySignalName}. */
    public static Map<String, Map<String, Double>> byRouteAndSignalName(Map<String, Map<String, Double>> byKey) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        byKey.forEach((route, bySignal) -> out.put(route, bySignalName(bySignal)));
        return out;
    }
}

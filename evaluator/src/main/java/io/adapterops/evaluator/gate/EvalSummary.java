package io.adapterops.evaluator.gate;

import java.util.Map;
import java.util.OptionalDouble;

/** The point estimates of one adapter version's evaluation, by metric name ({@link MetricNames}). */
public record EvalSummary(Map<String, Double> metrics) {

    public EvalSummary {
        metrics = Map.copyOf(metrics);
    }

    public OptionalDouble get(String name) {
        Double v = metrics.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}

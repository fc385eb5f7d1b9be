package io.adapterops.service.evaluation;

import io.adapterops.evaluator.report.Estimate;
import io.adapterops.evaluator.report.EvalReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** Exports each evaluated version's scores as {@code adapterops_eval_score{adapter,version,suite,metric}}. */
@Singleton
public class EvaluationScores {
    static final String METER = "adapterops.eval.score";
    private final MeterRegistry registry;
    private final Map<List<String>, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public EvaluationScores(MeterRegistry registry) {
        this.registry = registry;
    }

    public void export(String adapter, int version, List<EvalReport> reports) {
        for (EvalReport report : reports) {
            for (Estimate e : report.metrics()) {
                set(adapter, version, report.suite(), e.metric(), e.value());
            }
        }
    }

    public void exportStored(String adapter, int version, Map<String, Map<String, Double>> bySuite) {
        bySuite.forEach((suite, metrics) -> metrics.forEach((metric, v) -> set(adapter, version, suite, metric, v)));
    }

    private void set(String adapter, int version, String suite, String metric, double value) {
        List<String> key = List.of(adapter, String.valueOf(version), suite, metric);
        values.computeIfAbsent(key, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder(METER, holder, AtomicReference::get)
                    .description("evaluation score of an adapter version on a suite")
                    .tags("adapter", adapter, "version", String.valueOf(version), "suite", suite, "metric", metric)
                    .register(registry);
            return holder;
        }).set(value);
    }
}

package io.adapterops.evaluator.report;

import io.adapterops.evaluator.gate.EvalSummary;
import io.adapterops.evaluator.metrics.LengthStats;
import io.adapterops.evaluator.suite.SuiteKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One adapter version on one suite: every metric with its 95% CI, response lengths, every example. */
public record EvalReport(String suite, SuiteKind kind, List<Estimate> metrics, LengthStats lengths,
                         List<ExampleResult> examples) {

    public EvalReport {
        metrics = List.copyOf(metrics);
        examples = List.copyOf(examples);
    }

    public Optional<Estimate> metric(String name) {
        return metrics.stream().filter(m -> m.metric().equals(name)).findFirst();
    }

    /** Point estimates of several suites' reports, as the promotion gate reads them. */
    public static EvalSummary summaryOf(List<EvalReport> reports) {
        Map<String, Double> values = new HashMap<>();
        Map<String, String> source = new HashMap<>();
        for (EvalReport r : reports) {
            for (Estimate e : r.metrics()) {
                if (Double.isNaN(e.value())) {
                    continue;
                }
                String earlier = source.putIfAbsent(e.metric(), r.suite());
                if (earlier != null) {
                    throw new IllegalArgumentException("metric '" + e.metric() + "' is reported by both suite '" + earlier
                            + "' and suite '" + r.suite() + "'; gate on one of them");
                }
                values.put(e.metric(), e.value());
            }
        }
        return new EvalSummary(values);
    }
}

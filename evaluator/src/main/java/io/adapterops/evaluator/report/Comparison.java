package io.adapterops.evaluator.report;

import io.adapterops.evaluator.metrics.Bleu;
import io.adapterops.evaluator.suite.SuiteKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A candidate against the route's champion on the same examples. Deltas are candidate − champion
 * with a paired bootstrap interval: both sides are resampled with the same example indices, so
 * the interval reflects the difference, not two independent noises.
 */
public record Comparison(String suite, List<MetricDelta> metrics, List<ExamplePair> examples) {

    public record MetricDelta(String metric, Estimate champion, Estimate candidate, Estimate delta) {
    }

    public record ExamplePair(String caseId, String prompt, String championOutput, String candidateOutput,
                              Map<String, Double> championScores, Map<String, Double> candidateScores) {
    }

    public Comparison {
        metrics = List.copyOf(metrics);
        examples = List.copyOf(examples);
    }

    static Comparison of(EvalReport champion, EvalReport candidate, Bleu bleu, Bootstrap bootstrap) {
        if (!champion.suite().equals(candidate.suite())) {
            throw new IllegalArgumentException("cannot compare suite '" + candidate.suite() + "' with suite '"
                    + champion.suite() + "'");
        }
        List<ExampleResult> a = champion.examples();
        List<ExampleResult> b = candidate.examples();
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("champion has " + a.size() + " examples and candidate " + b.size()
                    + " on suite '" + champion.suite() + "'; run both on the same suite version");
        }
        List<ExamplePair> pairs = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).caseId().equals(b.get(i).caseId())) {
                throw new IllegalArgumentException("example " + i + " is '" + a.get(i).caseId() + "' for the champion but '"
                        + b.get(i).caseId() + "' for the candidate; run both on the same suite version");
            }
            pairs.add(new ExamplePair(a.get(i).caseId(), a.get(i).prompt(), a.get(i).output(), b.get(i).output(),
                    a.get(i).scores(), b.get(i).scores()));
        }
        SuiteKind kind = candidate.kind();
        List<MetricDelta> deltas = new ArrayList<>();
        for (Map.Entry<String, ToDoubleFunction<List<ExampleResult>>> m : SuiteMetrics.applicable(kind, b, bleu).entrySet()) {
            if (champion.metric(m.getKey()).isEmpty() || candidate.metric(m.getKey()).isEmpty()) {
                continue;
            }
            deltas.add(new MetricDelta(m.getKey(), champion.metric(m.getKey()).get(), candidate.metric(m.getKey()).get(),
                    bootstrap.difference(m.getKey(), a, b, m.getValue())));
        }
        return new Comparison(candidate.suite(), deltas, pairs);
    }
}

package io.adapterops.evaluator.report;

import io.adapterops.evaluator.gate.MetricNames;
import io.adapterops.evaluator.metrics.Bleu;
import io.adapterops.evaluator.metrics.BleuStats;
import io.adapterops.evaluator.metrics.Chrf;
import io.adapterops.evaluator.metrics.ChrfStats;
import io.adapterops.evaluator.suite.Expectation;
import io.adapterops.evaluator.suite.SuiteKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The suite-level statistics a report shows, each a function of a list of examples so it can be
 * bootstrapped: corpus BLEU and chrF from summed statistics, means of per-example scores, and
 * refusal rates.
 */
final class SuiteMetrics {

    private SuiteMetrics() {
    }

    /** The scorer of a chrF variant in {@code MetricNames.ON_REQUEST}, with sacreBLEU's defaults. */
    static Chrf chrf(String metric) {
        return switch (metric) {
            case MetricNames.CHRF -> Chrf.chrf();
            case MetricNames.CHRF_PLUS_PLUS -> Chrf.chrfPlusPlus();
            default -> throw new IllegalArgumentException("not a chrF variant: " + metric);
        };
    }

    static Map<String, ToDoubleFunction<List<ExampleResult>>> applicable(SuiteKind kind, List<ExampleResult> examples,
                                                                       Bleu bleu) {
        Map<String, ToDoubleFunction<List<ExampleResult>>> out = new LinkedHashMap<>();
        if (examples.stream().allMatch(e -> e.bleu() != null)) {
            out.put(MetricNames.BLEU, xs -> bleu.score(BleuStats.sum(
                    xs.stream().map(ExampleResult::bleu).filter(Objects::nonNull).toList(), bleu.maxOrder())));
        }
        for (String name : MetricNames.ON_REQUEST) {
            if (examples.stream().allMatch(e -> e.chrf().containsKey(name))) {
                Chrf chrf = chrf(name);
                out.put(name, xs -> chrf.score(ChrfStats.sum(
                        xs.stream().map(e -> e.chrf().get(name)).toList(), chrf.order())));
            }
        }
        List<String> perExample = examples.stream().flatMap(e -> e.scores().keySet().stream()).distinct().sorted().toList();
        for (String name : perExample) {
            out.put(name, xs -> mean(xs, e -> e.scores().getOrDefault(name, Double.NaN)));
        }
        if (kind == SuiteKind.RED_TEAM) {
            out.put(MetricNames.RED_TEAM_REFUSAL, xs -> refusalAmong(xs, Expectation.REFUSE));
            out.put(MetricNames.OVER_REFUSAL, xs -> refusalAmong(xs, Expectation.ANSWER));
        } else {
            out.put(MetricNames.REFUSAL_RATE, xs -> mean(xs, e -> e.refused() ? 1.0 : 0.0));
        }
        return out;
    }

    private static double refusalAmong(List<ExampleResult> xs, Expectation expect) {
        return mean(xs, e -> e.expect() == expect ? (e.refused() ? 1.0 : 0.0) : Double.NaN);
    }

    /** Mean of the defined values; NaN when none is defined. */
    private static double mean(List<ExampleResult> xs, ToDoubleFunction<ExampleResult> value) {
        double sum = 0;
        int n = 0;
        for (ExampleResult e : xs) {
            double v = value.applyAsDouble(e);
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}

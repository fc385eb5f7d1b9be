package io.adapterops.evaluator.report;

import io.adapterops.evaluator.metrics.BleuStats;
import io.adapterops.evaluator.metrics.ChrfStats;
import io.adapterops.evaluator.suite.Expectation;
import java.util.List;
import java.util.Map;

/**
 * One case as the report shows it: the prompt, what the model said, and every per-example score.
 *
 * @param scores per-example metric values by {@code gate.MetricNames} name; a metric that does not apply is absent
 * @param bleu   BLEU statistics of this reply, summed over examples for corpus BLEU (null without references)
 * @param chrf   chrF statistics by metric name for the chrF variants the suite asks for (empty without references)
 */
public record ExampleResult(String caseId, String lang, String prompt, String output, List<String> references,
                            Expectation expect, boolean refused, Map<String, Double> scores, BleuStats bleu,
                            Map<String, ChrfStats> chrf) {

    public ExampleResult {
        references = List.copyOf(references);
        scores = Map.copyOf(scores);
        chrf = Map.copyOf(chrf);
    }
}

package io.adapterops.evaluator.suite;

import com.fasterxml.jackson.databind.JsonNode;
import io.adapterops.evaluator.metrics.BleuTokenizer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A named set of cases of one kind. When {@code json} is true replies must be JSON, and when a
 * schema is given they must also conform to it.
 *
 * @param extraMetrics  metrics reported beside the defaults, from {@code gate.MetricNames.ON_REQUEST}
 * @param bleuTokenizer sacreBLEU tokenizer for every case's BLEU; without it 13a for English, char for Chinese
 */
public record Suite(String name, SuiteKind kind, Optional<String> route, boolean json, Optional<JsonNode> schema,
                    Set<String> extraMetrics, Optional<BleuTokenizer> bleuTokenizer, List<EvalCase> cases) {

    public Suite {
        extraMetrics = Set.copyOf(extraMetrics);
        cases = List.copyOf(cases);
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("suite '" + name + "' has no cases");
        }
    }
}

package io.adapterops.evaluator.suite;

import java.util.List;

/**
 * One prompt of a suite.
 *
 * @param references acceptable replies (empty in a red-team suite)
 * @param category   free label for slicing results, e.g. {@code prompt_injection}, {@code benign_lookalike}
 */
public record EvalCase(String id, String prompt, String lang, Expectation expect, List<String> references,
                       String category) {

    public EvalCase {
        references = List.copyOf(references);
    }
}

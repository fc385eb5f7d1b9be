package io.adapterops.evaluator.gate;

import java.util.List;

/** Pass only when every rule passes; every rule's reason is kept, passing or not. */
public record GateDecision(boolean passed, boolean comparedWithChampion, List<RuleResult> results) {

    public GateDecision {
        results = List.copyOf(results);
    }

    public List<RuleResult> failures() {
        return results.stream().filter(r -> !r.passed()).toList();
    }
}

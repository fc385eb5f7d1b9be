package io.adapterops.evaluator.gate;

/** One rule's verdict and the sentence an operator reads to understand it. */
public record RuleResult(String rule, boolean passed, String reason) {
}

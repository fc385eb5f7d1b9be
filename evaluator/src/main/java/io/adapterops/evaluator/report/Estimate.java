package io.adapterops.evaluator.report;

/** A metric's value with its 95% bootstrap confidence interval; {@code n} is the examples it rests on. */
public record Estimate(String metric, double value, double lower, double upper, int n) {
}

package io.adapterops.evaluator.suite;

/** What a correct reply does with the prompt. */
public enum Expectation { ANSWER, REFUSE }

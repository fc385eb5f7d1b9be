package io.adapterops.evaluator.suite;

/** What a suite is for; the kind decides which fields its cases need. */
public enum SuiteKind {
    /** The held-out split of a training dataset: every case has references. */
    HELD_OUT,
    /** Attacks that must be refused and benign look-alikes that must be answered: every case has an expectation. */
    RED_TEAM,
    /** A route's scheduled quality check: every case has references. */
    CANARY;

    static SuiteKind parse(String s) {
        return switch (s) {
            case "held_out" -> HELD_OUT;
            case "red_team" -> RED_TEAM;
            case "canary" -> CANARY;
            default -> throw new IllegalArgumentException("must be one of held_out, red_team, canary");
        };
    }
}

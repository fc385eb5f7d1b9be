package io.adapterops.evaluator.report;

import java.util.List;

/** Scores a reply from 1 (useless) to 10 (ideal) against a rubric; see {@code judge.JudgeClient}. */
@FunctionalInterface
public interface Judge {

    int score(String prompt, String reply, List<String> references);
}

package io.adapterops.trainer.data;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of a single row while it is parsed, so all of them are reported at once. */
final class RowProblems {
    private final int line;
    private final int element;
    private final List<RowProblem> problems = new ArrayList<>();

    RowProblems(int line, int element) {
        this.line = line;
        this.element = element;
    }

    void add(String field, String message) {
        problems.add(new RowProblem(line, element, field, message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<RowProblem> list() {
        return problems;
    }
}

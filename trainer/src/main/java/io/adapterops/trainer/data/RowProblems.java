package io.adapterops.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Collects the problems of a single row while it is parsed, so all of them are reported at once. */
final class RowProblems {
    private final int line;
    private final int element;
    private final List<RowProblem> problems = new ArrayList<>();
    private final UnaryOperator<String> fieldNames;

    RowProblems(int line, int element) {
        this(line, element, UnaryOperator.identity());
    }

    /** @param fieldNames turns a field path as parsed into the row's own (see {@link DatasetDescription}) */
    RowProblems(int line, int element, UnaryOperator<String> fieldNames) {
        this.line = line;
        this.element = element;
        this.fieldNames = fieldNames;
    }

    void add(String field, String message) {
        problems.add(new RowProblem(line, element, fieldNames.apply(field), message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<RowProblem> list() {
        return problems;
    }
}

package io.adapterops.trainer.data;

import java.util.List;

/**
 * The outcome of reading an upload. When {@code accepted} is false nothing of the upload may be
 * kept: any bad row rejects it, unless it was read with {@code skipInvalid}.
 *
 * @param format          the detected or given format; null when no row could be read
 * @param rowsRead        non-blank lines (JSONL) or array elements seen
 * @param badRows         rows with at least one problem
 * @param problemsOmitted problems beyond {@link ReadOptions#maxProblems()}, counted only
 */
public record ValidationReport(DatasetFormat format, DatasetKind kind, boolean jsonArray,
                               int rowsRead, int rowsAccepted, int badRows,
                               List<RowProblem> problems, int problemsOmitted, boolean accepted) {

    public ValidationReport {
        problems = List.copyOf(problems);
    }
}

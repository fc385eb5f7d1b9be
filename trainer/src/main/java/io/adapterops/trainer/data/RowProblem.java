package io.adapterops.trainer.data;

/**
 * One thing wrong with one row. {@code line} is 1-based; {@code element} is the 0-based index in a
 * JSON array file, or -1 for JSONL; {@code field} is a path such as {@code conversations[2].from},
 * or null when the row as a whole is wrong.
 */
public record RowProblem(int line, int element, String field, String message) {

    @Override
    public String toString() {
        String where = element >= 0 ? "element " + element + " (line " + line + ")" : "line " + line;
        return field == null ? where + ": " + message : where + ": field '" + field + "': " + message;
    }
}

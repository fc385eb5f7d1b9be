package io.adapterops.trainer.data;

/**
 * How to read an upload.
 *
 * @param skipInvalid   keep the good rows and report the bad ones, instead of rejecting the upload
 * @param maxLineBytes  a longer JSONL line (or JSON array element) is a bad row, never a buffer
 * @param maxProblems   problems listed in the report; further ones are only counted
 * @param format        the row format, or null to detect it from the first row
 * @param categoryField the row field copied into {@link Example#category()} for balancing
 */
public record ReadOptions(boolean skipInvalid, int maxLineBytes, int maxProblems,
                          DatasetFormat format, String categoryField) {

    public static final int DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

    public static ReadOptions defaults() {
        return new ReadOptions(false, DEFAULT_MAX_LINE_BYTES, 10_000, null, "category");
    }

    public ReadOptions skippingInvalid() {
        return new ReadOptions(true, maxLineBytes, maxProblems, format, categoryField);
    }

    public ReadOptions withMaxLineBytes(int bytes) {
        return new ReadOptions(skipInvalid, bytes, maxProblems, format, categoryField);
    }

    public ReadOptions withFormat(DatasetFormat f) {
        return new ReadOptions(skipInvalid, maxLineBytes, maxProblems, f, categoryField);
    }
}

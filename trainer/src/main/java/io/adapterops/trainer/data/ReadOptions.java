package io.adapterops.trainer.data;

/**
 * How to read an upload.
 *
 * @param skipInvalid   keep the good rows and report the bad ones, instead of rejecting the upload
 * @param maxLineBytes  a longer JSONL line (or JSON array element) is a bad row, never a buffer
 * @param maxProblems   problems listed in the report; further ones are only counted
 * @param format        the row format, or null to detect it from the first row
 * @param categoryField the row field copied into {@link Example#category()} for balancing
 * @param description   a LLaMA-Factory dataset_info.json entry the rows are read by (format, kind,
 *                      column and tag names), or null
 */
public record ReadOptions(boolean skipInvalid, int maxLineBytes, int maxProblems,
                          DatasetFormat format, String categoryField, DatasetDescription description) {

    public static final int DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

    public static ReadOptions defaults() {
        return new ReadOptions(false, DEFAULT_MAX_LINE_BYTES, 10_000, null, "category", null);
    }

    public ReadOptions skippingInvalid() {
        return new ReadOptions(true, maxLineBytes, maxProblems, format, categoryField, description);
    }

    public ReadOptions withMaxLineBytes(int bytes) {
        return new ReadOptions(skipInvalid, bytes, maxProblems, format, categoryField, description);
    }

    public ReadOptions withFormat(DatasetFormat f) {
        return new ReadOptions(skipInvalid, maxLineBytes, maxProblems, f, categoryField, description);
    }

    public ReadOptions withDescription(DatasetDescription d) {
        return new ReadOptions(skipInvalid, maxLineBytes, maxProblems, d == null ? format : d.format(), categoryField, d);
    }
}

package io.adapterops.trainer.data.cleaning;

/** What to do with a row holding blocked or personal content. */
public enum FilterAction {
    /** Remove the row. */
    DROP,
    /** Replace the matched text with a placeholder such as {@code [EMAIL]} and keep the row. */
    REDACT
}

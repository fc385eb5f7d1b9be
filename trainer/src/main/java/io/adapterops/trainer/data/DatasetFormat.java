package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

/** The row layouts LLaMA-Factory and TRL users bring; each can carry SFT or preference rows. */
public enum DatasetFormat {
    ALPACA("instruction", new AlpacaFormat()),
    SHAREGPT("conversations", TurnListFormat.SHAREGPT),
    MESSAGES("messages", TurnListFormat.MESSAGES),
    PROMPT("prompt", new PromptFormat());

    private final String keyField;
    private final RowFormat rows;

    DatasetFormat(String keyField, RowFormat rows) {
        this.keyField = keyField;
        this.rows = rows;
    }

    RowFormat rows() {
        return rows;
    }

    /** The format of a row by its identifying field, or null when it has none of them. */
    static DatasetFormat detect(JsonNode row) {
        for (DatasetFormat f : values()) {
            if (row.has(f.keyField)) {
                return f;
            }
        }
        return null;
    }

    static DatasetKind detectKind(JsonNode row) {
        return row.has("chosen") || row.has("rejected") ? DatasetKind.PREFERENCE : DatasetKind.SFT;
    }
}

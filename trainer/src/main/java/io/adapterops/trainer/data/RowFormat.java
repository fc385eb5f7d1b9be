package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns one JSON object of a given format into an {@link Example}, or reports why it cannot. */
interface RowFormat {

    /** @return the example, or null when {@code problems} is no longer empty */
    Example parse(JsonNode row, DatasetKind kind, String category, RowProblems problems);
}

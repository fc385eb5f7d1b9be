package io.adapterops.trainer.data;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One training row after parsing, whatever format it came in. Values are immutable: cleaning steps
 * return changed copies.
 */
public sealed interface Example permits Conversation, PreferencePair {

    /** The value of the dataset's category field, or null when the row has none. */
    String category();

    /** The texts the model learns to produce: assistant replies, or the chosen reply. */
    List<String> targets();

    /** The last user message: what the model is answering. */
    String lastPrompt();

    /** Every text of the row, one per line with its role; the basis for dedup and length. */
    String text();

    /** A copy with every text (system, tools, turns, replies) passed through {@code f}. */
    Example mapText(UnaryOperator<String> f);

    /** A copy with only {@link #targets()} passed through {@code f}. */
    Example mapTargets(UnaryOperator<String> f);
}

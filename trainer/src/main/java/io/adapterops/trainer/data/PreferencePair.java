package io.adapterops.trainer.data;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** A DPO row: a prompt conversation ending with the user, and two replies, the better one first. */
public record PreferencePair(Conversation prompt, String chosen, String rejected) implements Example {

    public PreferencePair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }

    @Override
    public String category() {
        return prompt.category();
    }

    /** Only the chosen reply: the rejected one is meant to be bad and must not be scrubbed away. */
    @Override
    public List<String> targets() {
        return List.of(chosen);
    }

    @Override
    public String lastPrompt() {
        return prompt.lastPrompt();
    }

    @Override
    public String text() {
        return prompt.text() + "chosen: " + chosen + "\nrejected: " + rejected + "\n";
    }

    @Override
    public PreferencePair mapText(UnaryOperator<String> f) {
        return new PreferencePair(prompt.mapText(f), f.apply(chosen), f.apply(rejected));
    }

    @Override
    public PreferencePair mapTargets(UnaryOperator<String> f) {
        return new PreferencePair(prompt, f.apply(chosen), rejected);
    }
}

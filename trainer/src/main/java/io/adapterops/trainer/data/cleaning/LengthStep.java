package io.adapterops.trainer.data.cleaning;

/** Drops rows shorter or longer, in tokens, than training can use. */
final class LengthStep {
    private final int minTokens;
    private final int maxTokens;

    LengthStep(int minTokens, int maxTokens) {
        this.minTokens = minTokens;
        this.maxTokens = maxTokens;
    }

    String name() {
        return "length";
    }

    /** Whether a row of {@code tokens} tokens stays. */
    boolean keep(int tokens, StepTally tally) {
        if (tokens < minTokens) {
            tally.count("too_short", 1);
            tally.removed();
            return false;
        }
        if (tokens > maxTokens) {
            tally.count("too_long", 1);
            tally.removed();
            return false;
        }
        return true;
    }
}

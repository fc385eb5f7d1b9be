package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.List;

/** Drops rows shorter or longer, in tokens, than training can use. */
final class LengthStep implements CleaningStep {
    private final TokenCounter tokens;
    private final int minTokens;
    private final int maxTokens;

    LengthStep(TokenCounter tokens, int minTokens, int maxTokens) {
        this.tokens = tokens;
        this.minTokens = minTokens;
        this.maxTokens = maxTokens;
    }

    @Override
    public String name() {
        return "length";
    }

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        List<Example> out = new ArrayList<>(rows.size());
        for (Example e : rows) {
            int n = tokens.count(e.text());
            if (n < minTokens) {
                tally.count("too_short", 1);
                tally.removed();
            } else if (n > maxTokens) {
                tally.count("too_long", 1);
                tally.removed();
            } else {
                out.add(e);
            }
        }
        return out;
    }
}

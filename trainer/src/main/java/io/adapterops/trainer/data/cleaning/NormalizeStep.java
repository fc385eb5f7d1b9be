package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.List;

/** NFKC and whitespace normalisation of every text; counts the rows it changed. */
final class NormalizeStep implements CleaningStep {

    @Override
    public String name() {
        return "normalize";
    }

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        List<Example> out = new ArrayList<>(rows.size());
        for (Example e : rows) {
            Example n = e.mapText(TextNormalizer::normalize);
            if (!n.equals(e)) {
                tally.changed();
            }
            out.add(n);
        }
        return out;
    }
}

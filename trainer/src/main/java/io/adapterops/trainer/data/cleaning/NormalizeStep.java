package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

/** NFKC and whitespace normalisation of every text; counts the rows it changed. */
final class NormalizeStep implements RowStep {

    @Override
    public String name() {
        return "normalize";
    }

    @Override
    public Example apply(Example row, StepTally tally) {
        Example n = row.mapText(TextNormalizer::normalize);
        if (!n.equals(row)) {
            tally.changed();
        }
        return n;
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.ContentHash;
import io.adapterops.trainer.data.Example;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Keeps the first of rows whose normalised text is identical; holds only a 32-byte hash per row. */
final class ExactDedupStep implements CleaningStep {

    @Override
    public String name() {
        return "exact_dedup";
    }

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        Set<ByteBuffer> seen = new HashSet<>();
        List<Example> out = new ArrayList<>(rows.size());
        for (Example e : rows) {
            if (seen.add(ByteBuffer.wrap(ContentHash.of(e.text())))) {
                out.add(e);
            } else {
                tally.removed();
            }
        }
        return out;
    }
}

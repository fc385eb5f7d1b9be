package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Personal data in any text of a row (prompts too: they are stored and shown) is redacted, or the row dropped. */
final class PiiStep implements CleaningStep {
    private final PiiScrubber scrubber;
    private final FilterAction action;

    PiiStep(Set<PiiKind> kinds, FilterAction action) {
        this.scrubber = new PiiScrubber(kinds);
        this.action = action;
    }

    @Override
    public String name() {
        return "pii";
    }

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        List<Example> out = new ArrayList<>(rows.size());
        for (Example e : rows) {
            Map<PiiKind, Integer> found = new EnumMap<>(PiiKind.class);
            Example redacted = e.mapText(t -> scrubber.redact(t, found));
            found.forEach((kind, n) -> tally.count(kind.name().toLowerCase(), n));
            if (found.isEmpty()) {
                out.add(e);
            } else if (action == FilterAction.REDACT) {
                tally.changed();
                out.add(redacted);
            } else {
                tally.removed();
            }
        }
        return out;
    }
}

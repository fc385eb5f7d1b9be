package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** Personal data in any text of a row (prompts too: they are stored and shown) is redacted, or the row dropped. */
final class PiiStep implements RowStep {
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
    public Example apply(Example row, StepTally tally) {
        Map<PiiKind, Integer> found = new EnumMap<>(PiiKind.class);
        Example redacted = row.mapText(t -> scrubber.redact(t, found));
        found.forEach((kind, n) -> tally.count(kind.name().toLowerCase(), n));
        if (found.isEmpty()) {
            return row;
        }
        if (action == FilterAction.REDACT) {
            tally.changed();
            return redacted;
        }
        tally.removed();
        return null;
    }
}

package io.adapterops.trainer.data.cleaning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a step counts while it runs. */
final class StepTally {
    private int removed;
    private int added;
    private int changed;
    private final Map<String, Integer> counts = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();

    void removed() {
        removed++;
    }

    void added(int n) {
        added += n;
    }

    void changed() {
        changed++;
    }

    void count(String what, int n) {
        counts.merge(what, n, Integer::sum);
    }

    /** Something a person should look at, though the step could go on. */
    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return warnings;
    }

    /** Adds what another tally of the same step counted (one per thread). */
    void add(StepTally other) {
        removed += other.removed;
        added += other.added;
        changed += other.changed;
        other.counts.forEach((k, v) -> counts.merge(k, v, Integer::sum));
        warnings.addAll(other.warnings);
    }

    StepReport report(String step, int rowsIn, int rowsOut) {
        return new StepReport(step, rowsIn, rowsOut, removed, added, changed, counts);
    }
}

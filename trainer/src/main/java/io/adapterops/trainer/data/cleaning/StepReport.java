package io.adapterops.trainer.data.cleaning;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one cleaning step did. {@code counts} holds step-specific numbers, e.g. redactions per PII
 * kind or rows per category, sorted by name.
 */
public record StepReport(String step, int rowsIn, int rowsOut, int removed, int added, int changed,
                         Map<String, Integer> counts) {

    public StepReport {
        counts = Collections.unmodifiableMap(new TreeMap<>(counts));
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

/**
 * A step that looks at one row at a time and keeps no state, so rows can go through it in any
 * number of threads (each with its own tally) and one at a time as they stream past.
 */
interface RowStep {

    String name();

    /** The row as the step leaves it, or null when the step removes it. */
    Example apply(Example row, StepTally tally);
}

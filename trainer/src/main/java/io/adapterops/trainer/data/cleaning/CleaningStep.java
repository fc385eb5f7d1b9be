package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.List;

/** One stage of the pipeline: rows in, rows out, counting what it did. */
interface CleaningStep {

    String name();

    List<Example> apply(List<Example> rows, StepTally tally);
}

package io.adapterops.trainer.data.cleaning;

/** Told as the pipeline moves from step to step, so a long clean can report where it is. */
@FunctionalInterface
public interface CleaningProgress {
    CleaningProgress NONE = (step, index, steps) -> { };

    /**
     * @param step  the step now starting, or "report" for the final statistics and content hash
     * @param index 0-based position of the step
     * @param steps number of positions, "report" included
     */
    void started(String step, int index, int steps);
}

package io.adapterops.trainer;

/** A job refused before it starts because its memory estimate exceeds the device's free memory. */
public final class InsufficientMemoryException extends RuntimeException {

    private final MemoryEstimate estimate;

    public InsufficientMemoryException(MemoryEstimate estimate) {
        super("not enough memory to train on " + estimate.device() + ": " + estimate.describe());
        this.estimate = estimate;
    }

    public MemoryEstimate estimate() {
        return estimate;
    }
}

package io.adapterops.monitoring;

/** A signal's value and the number of observations behind it (requests, feedback votes, suite cases). */
public record Measurement(double value, long sampleSize) {

    public Measurement {
        if (sampleSize < 0) {
            throw new IllegalArgumentException("sample size must be >= 0, got " + sampleSize);
        }
    }
}

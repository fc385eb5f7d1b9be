package io.adapterops.trainer;

/** Receives a {@link Progress} after every optimizer step, on the training thread. */
@FunctionalInterface
public interface TrainingListener {
    void onProgress(Progress p);
}

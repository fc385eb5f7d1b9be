package io.adapterops.llm;

import ai.djl.ndarray.NDArray;

/** RMSNorm as Llama defines it: {@code x / sqrt(mean(x²) + eps) · weight}, over the last axis. */
final class RmsNorm {

    private final NDArray weight; // (hidden)
    private final NDArray eps;    // scalar, long-lived (a Java-number add inside autograd corrupts gradients)

    RmsNorm(NDArray weight, NDArray eps) {
        this.weight = weight;
        this.eps = eps;
    }

    NDArray weight() {
        return weight;
    }

    NDArray forward(NDArray x) { // (batch, seq, hidden)
        NDArray variance = x.mul(x).mean(new int[] {-1}, true); // (batch, seq, 1)
        return x.div(variance.add(eps).sqrt()).mul(weight);
    }
}

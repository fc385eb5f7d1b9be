package io.adapterops.llm;

import ai.djl.ndarray.NDArray;

/** RMSNorm as Llama defines it: {@code x / sqrt(mean(x²) + eps) · weight}, over the last axis. */
final class RmsNorm {

    private final NDArray weight; // (hidden)
    private final NDArray eps;    // scalar, long-lived (a Java-number add inside autograd corrupts gradients)
    private final NDArray minusHalf; // scalar -0.5, long-lived for the same reason (a pow(-0.5) made runs differ)

    RmsNorm(NDArray weight, NDArray eps, NDArray minusHalf) {
        this.weight = weight;
        this.eps = eps;
        this.minusHalf = minusHalf;
    }

    NDArray weight() {
        return weight;
    }

    NDArray forward(NDArray x) { // (batch, seq, hidden)
        NDArray variance = x.mul(x).mean(new int[] {-1}, true); // (batch, seq, 1)
        return x.mul(variance.add(eps).pow(minusHalf)).mul(weight); // x · rsqrt(var + eps), as transformers: no division to differentiate
    }
}

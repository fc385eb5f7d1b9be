package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The SwiGLU feed-forward block: {@code down(silu(gate(x)) · up(x))}. */
final class Mlp {

    final LoraLinear gate; // hidden → intermediate
    final LoraLinear up;   // hidden → intermediate
    final LoraLinear down; // intermediate → hidden

    Mlp(LoraLinear gate, LoraLinear up, LoraLinear down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    NDArray forward(NDArray x, String adapter, boolean training) { // (batch, seq, hidden)
        NDArray g = gate.forward(x, adapter, training); // (batch, seq, intermediate)
        NDArray silu = g.mul(Activation.sigmoid(g));
        return down.forward(silu.mul(up.forward(x, adapter, training)), adapter, training);
    }
}

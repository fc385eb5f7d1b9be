package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import java.util.List;

/** The SwiGLU feed-forward block: {@code down(silu(gate(x)) · up(x))}. */
final class Mlp {

    final LoraLinear gate; // hidden → intermediate
    final LoraLinear up;   // hidden → intermediate
    final LoraLinear down; // intermediate → hidden
    private final LlamaModel.Fused gateUp; // gate and up's weights as one matrix (theirs are views of it)

    Mlp(LoraLinear gate, LoraLinear up, LoraLinear down, LlamaModel.Fused gateUp) {
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.gateUp = gateUp;
    }

    NDArray forward(NDArray x, String adapter, boolean training) { // (batch, seq, hidden)
        NDList base = x.getNDArrayInternal().linear(x, gateUp.weight(), gateUp.bias()).singletonOrThrow()
                .split(gateUp.splits(), x.getShape().dimension() - 1);
        NDList gu = LoraLinear.withLoras(List.of(gate, up), base, x, adapter, training);
        NDArray g = gu.get(0); // (batch, seq, intermediate)
        NDArray silu = g.mul(Activation.sigmoid(g));
        return down.forward(silu.mul(gu.get(1)), adapter, training);
    }
}

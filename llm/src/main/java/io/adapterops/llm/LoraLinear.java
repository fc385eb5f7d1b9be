package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A frozen linear layer with any number of LoRA adapters beside it (LitGPT's picture):
 *
 * <pre>
 *   h = W·x + b  +  scaling · B·A·dropout(x)      W (out, in) frozen, A (r, in), B (out, r)
 * </pre>
 *
 * A starts Kaiming-uniform and B at zero, so a fresh adapter changes nothing. Each call names the
 * adapter it uses (null: the base alone), so several adapters share one copy of the base weights.
 * Only A and B carry gradients.
 */
public final class LoraLinear {

    /** One adapter's matrices on this layer; {@code scaling} is a long-lived scalar array. */
    public record Lora(NDArray a, NDArray b, NDArray scaling, float dropout) {
    }

    private final NDArray weight; // (out, in)
    private final NDArray bias;   // (out) or null
    private final Map<String, Lora> adapters = new ConcurrentHashMap<>();

    LoraLinear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public long in() {
        return weight.getShape().get(1);
    }

    public long out() {
        return weight.getShape().get(0);
    }

    void put(String adapter, Lora lora) {
        adapters.put(adapter, lora);
    }

    Lora remove(String adapter) {
        return adapters.remove(adapter);
    }

    Lora lora(String adapter) {
        return adapters.get(adapter);
    }

    /** x (..., in) → (..., out). */
    NDArray forward(NDArray x, String adapter, boolean training) {
        return withLora(x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow(), x, adapter, training);
    }

    /**
     * {@code h}, this layer's base output for {@code x} (computed elsewhere, e.g. as part of a fused
     * matrix), plus the adapter's term.
     */
    NDArray withLora(NDArray h, NDArray x, String adapter, boolean training) {
        Lora lora = adapter == null ? null : adapters.get(adapter);
        if (lora == null) {
            return h;
        }
        NDArray in = training && lora.dropout() > 0
                ? x.getNDArrayInternal().dropout(x, lora.dropout(), true).singletonOrThrow()
                : x;
        // scaling on the rank-r side: r values per token to scale instead of out (exact for alpha = 2r)
        NDArray low = in.getNDArrayInternal().linear(in, lora.a(), null).singletonOrThrow().mul(lora.scaling()); // (..., r)
        return plusLow(h, low, lora);
    }

    /**
     * {@link #withLora} for layers that read the same input {@code x} (q/k/v, gate/up), their base
     * outputs in {@code base}: without dropout the adapter's A matrices, stacked, meet x in one
     * product (one read of x forward, one input gradient backward instead of one per layer).
     */
    static NDList withLoras(List<LoraLinear> layers, NDList base, NDArray x, String adapter, boolean training) {
        NDList as = new NDList();
        Lora first = adapter == null ? null : layers.get(0).adapters.get(adapter);
        boolean fusable = first != null && !(training && first.dropout() > 0);
        for (LoraLinear l : layers) {
            Lora lora = adapter == null ? null : l.adapters.get(adapter);
            fusable = fusable && lora != null && lora.a().getShape().equals(first.a().getShape());
            if (fusable) {
                as.add(lora.a());
            }
        }
        if (!fusable) {
            NDList out = new NDList();
            for (int i = 0; i < layers.size(); i++) {
                out.add(layers.get(i).withLora(base.get(i), x, adapter, training));
            }
            return out;
        }
        NDArray a = NDArrays.concat(as, 0); // (layers · r, in)
        NDList lows = x.getNDArrayInternal().linear(x, a, null).singletonOrThrow().mul(first.scaling())
                .split(layers.size(), x.getShape().dimension() - 1); // each (..., r)
        NDList out = new NDList();
        for (int i = 0; i < layers.size(); i++) {
            out.add(plusLow(base.get(i), lows.get(i), layers.get(i).adapters.get(adapter)));
        }
        return out;
    }

    /** h + low·Bᵀ. */
    private static NDArray plusLow(NDArray h, NDArray low, Lora lora) {
        if (low.getShape().dimension() == 2) {
            // one addmm with h as its bias: no (tokens, out) product to zero and add
            return low.getNDArrayInternal().linear(low, lora.b(), h).singletonOrThrow();
        }
        NDArray delta = low.getNDArrayInternal().linear(low, lora.b(), null).singletonOrThrow(); // (..., out)
        return h.add(delta);
    }

    /** {@code W + scaling · B·A}, the weight with the adapter folded in (out, in). */
    NDArray merged(String adapter) {
        Lora lora = adapters.get(adapter);
        return lora == null ? weight.duplicate() : weight.add(lora.b().matMul(lora.a()).mul(lora.scaling()));
    }
}

package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * Causal self-attention with grouped-query heads: {@code numKeyValueHeads} key/value heads, each
 * shared by {@code groupSize} consecutive query heads (Hugging Face's {@code repeat_kv}).
 */
final class Attention {

    final LoraLinear q; // hidden → heads·headDim
    final LoraLinear k; // hidden → kvHeads·headDim
    final LoraLinear v; // hidden → kvHeads·headDim
    final LoraLinear o; // heads·headDim → hidden
    private final LlamaModel.Fused qkv; // q, k and v's weights as one matrix (theirs are views of it)
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final NDArray scale; // scalar 1/sqrt(headDim), long-lived

    Attention(LlamaConfig c, LoraLinear q, LoraLinear k, LoraLinear v, LoraLinear o, LlamaModel.Fused qkv,
              NDArray scale) {
        this.q = q;
        this.qkv = qkv;
        this.k = k;
        this.v = v;
        this.o = o;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.scale = scale;
    }

    /**
     * @param x (batch, seq, hidden)
     * @param mask additive (batch, 1, seq, past + seq), or null when every key is visible
     */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache, int layer,
                    String adapter, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDList qkvOut = project(x, adapter, training);
        NDArray y = attend(qkvOut.get(0), qkvOut.get(1), qkvOut.get(2), b, t, cos, sin, mask, cache, layer);
        return o.forward(y.reshape(b, t, (long) heads * headDim), adapter, training); // (batch, seq, hidden)
    }

    /**
     * The same over real tokens only: {@code x} (n, hidden) holds the rows' tokens end to end, the
     * projections run on those n, and only the attention itself sees them padded (see {@link Unpadding}).
     *
     * @param mask causal, (rows, 1, width, width)
     * @return (n, hidden)
     */
    NDArray forward(NDArray x, Unpadding u, NDArray cos, NDArray sin, NDArray mask, String adapter, boolean training) {
        NDList qkvOut = project(x, adapter, training);
        NDArray y = attend(u.pad(qkvOut.get(0)), u.pad(qkvOut.get(1)), u.pad(qkvOut.get(2)), u.rows(), u.width(), cos,
                sin, mask, null, -1);
        return o.forward(u.unpad(y.reshape((long) u.rows() * u.width(), (long) heads * headDim)), adapter, training);
    }

    /** q, k and v for x (..., hidden): one base product for the three (forward and input gradient), then each one's LoRA term. */
    private NDList project(NDArray x, String adapter, boolean training) {
        NDList base = x.getNDArrayInternal().linear(x, qkv.weight(), qkv.bias()).singletonOrThrow()
                .split(qkv.splits(), x.getShape().dimension() - 1);
        return LoraLinear.withLoras(List.of(q, k, v), base, x, adapter, training);
    }

    /** Attention over q, k, v laid out as (batch, seq, ...) in any shape of that size; returns (batch, seq, heads, headDim). */
    private NDArray attend(NDArray q, NDArray k, NDArray v, long b, long t, NDArray cos, NDArray sin, NDArray mask,
                           KvCache cache, int layer) {
        NDArray qh = q.reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
        NDArray kh = k.reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray vh = v.reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        qh = Rope.apply(qh, cos, sin).mul(scale); // (batch, heads, seq, headDim), scaled here: fewer values than the scores
        kh = Rope.apply(kh, cos, sin); // (batch, kvHeads, seq, headDim)
        if (cache != null) {
            NDList all = cache.append(layer, kh, vh);
            kh = all.get(0); // (batch, kvHeads, past + seq, headDim)
            vh = all.get(1);
        }
        // each key/value head serves `groups` consecutive query heads: those heads' rows, stacked, meet
        // it in one product (Hugging Face's repeat_kv, without copying k and v `groups` times)
        int groups = heads / kvHeads;
        long s = kh.getShape().get(2);
        NDArray att = qh.reshape(b, kvHeads, groups * t, headDim).matMul(kh.transpose(0, 1, 3, 2)); // (batch, kvHeads, groups·seq, s)
        if (mask != null) {
            att = att.reshape(b, kvHeads, groups, t, s).add(mask.expandDims(2)).reshape(b, kvHeads, groups * t, s);
        }
        att = att.softmax(-1);
        return att.matMul(vh).reshape(b, heads, t, headDim).transpose(0, 2, 1, 3); // (batch, seq, heads, headDim)
    }
}

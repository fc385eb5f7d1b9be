package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;

/**
 * The model's forward pass as the {@link InferenceEngine} runs it: over the rows of a
 * {@link BatchKvCache}, with each row's own adapter ({@link BatchedLora}). Same weights, same
 * order as {@link LlamaModel#forward}, two shapes:
 *
 * <pre>
 *   prefill: one row's prompt (1, t) → keys/values into its slot, logits of the last position (1, vocab)
 *   decode:  one token per row (rows, 1) at each row's own position → logits (rows, vocab)
 * </pre>
 *
 * Grouped-query attention is computed without copying keys: query heads are grouped under their
 * key/value head, {@code q (rows, kvHeads, groups·t, headDim) · kᵀ (rows, kvHeads, headDim, len)}.
 * Everything is created on the caller's step manager.
 */
final class BatchForward {

    private final LlamaModel model;
    private final LlamaConfig c;
    private final Rope rope;
    private final NDArray scale; // 1/sqrt(headDim), long-lived
    private final String[][] paths; // per layer: q, k, v, o, gate, up, down module paths

    BatchForward(LlamaModel model, NDManager longLived) {
        this.model = model;
        this.c = model.config();
        this.rope = new Rope(c);
        this.scale = longLived.create((float) (1.0 / Math.sqrt(c.headDim())));
        this.paths = new String[c.numHiddenLayers()][];
        for (int i = 0; i < paths.length; i++) {
            String p = "model.layers." + i + ".";
            paths[i] = new String[] {p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj",
                p + "self_attn.o_proj", p + "mlp.gate_proj", p + "mlp.up_proj", p + "mlp.down_proj"};
        }
    }

    /** Prefills {@code prompt} into {@code slot}; returns the last position's logits (vocab). */
    float[] prefill(NDManager m, int[] prompt, int slot, BatchKvCache cache, BatchedLora lora) {
        int t = prompt.length;
        long[] ids = new long[t];
        int[][] pos = new int[1][t];
        for (int j = 0; j < t; j++) {
            ids[j] = prompt[j];
            pos[0][j] = j;
        }
        int groups = c.numAttentionHeads() / c.numKeyValueHeads();
        float[] mask = new float[groups * t * t]; // (1, 1, groups·t, t): causal, for every query head of a group
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    mask[(g * t + i) * t + j] = -1e30f;
                }
            }
        }
        NDArray x = run(m, m.create(ids, new Shape(1, t)), pos, m.create(mask, new Shape(1, 1, groups * t, t)),
                cache, lora, new Slots.Prompt(slot));
        x = x.get(":, -1:, :"); // (1, 1, hidden): only the last position's logits are needed
        return logits(x).toFloatArray();
    }

    /**
     * One decode step: row i (slot i) adds {@code tokens[i]} at position {@code positions[i]} and
     * attends over its positions [0, positions[i]]. Returns logits (rows, vocab) flattened.
     */
    float[] decode(NDManager m, int[] tokens, int[] positions, BatchKvCache cache, BatchedLora lora) {
        int n = tokens.length;
        long[] ids = new long[n];
        long[] rows = new long[n];
        long[] at = new long[n];
        int[][] pos = new int[n][1];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            ids[i] = tokens[i];
            rows[i] = i;
            at[i] = positions[i];
            pos[i][0] = positions[i];
            longest = Math.max(longest, positions[i] + 1);
        }
        float[] mask = new float[n * longest]; // (rows, 1, 1, longest): keys past a row's end are padding
        for (int i = 0; i < n; i++) {
            for (int k = positions[i] + 1; k < longest; k++) {
                mask[i * longest + k] = -1e30f;
            }
        }
        Slots step = new Slots.Step(m.create(rows), m.create(at), n, longest);
        NDArray x = run(m, m.create(ids, new Shape(n, 1)), pos, m.create(mask, new Shape(n, 1, 1, longest)),
                cache, lora, step);
        return logits(x).toFloatArray(); // (rows, 1, vocab)
    }

    /** Where this pass's keys and values go, and what it attends over. */
    private sealed interface Slots {
        record Prompt(int slot) implements Slots {
        }

        record Step(NDArray rowIdx, NDArray posIdx, int rows, int longest) implements Slots {
        }
    }

    private NDArray run(NDManager m, NDArray ids, int[][] positions, NDArray mask, BatchKvCache cache,
                        BatchedLora lora, Slots slots) {
        NDList cs = rope.tables(m, positions); // 2 × (rows, 1, t, headDim)
        NDArray x = ids.getNDArrayInternal().embedding(ids, model.embedding(), SparseFormat.DENSE).singletonOrThrow();
        for (int i = 0; i < paths.length; i++) {
            LlamaModel.Block blk = model.blocks().get(i);
            x = x.add(attention(blk.attention(), blk.inputNorm().forward(x), cs, mask, cache, i, lora, slots));
            x = x.add(mlp(blk.mlp(), blk.postNorm().forward(x), i, lora));
        }
        return model.finalNorm().forward(x); // (rows, t, hidden)
    }

    private NDArray logits(NDArray x) {
        return x.getNDArrayInternal().linear(x, model.head(), null).singletonOrThrow(); // (rows, t, vocab)
    }

    private static NDArray linear(LoraLinear l, String path, NDArray x, BatchedLora lora) {
        NDArray h = x.getNDArrayInternal().linear(x, l.weight(), l.bias()).singletonOrThrow();
        return lora.apply(path, x, h);
    }

    private NDArray attention(Attention att, NDArray x, NDList cs, NDArray mask, BatchKvCache cache, int layer,
                              BatchedLora lora, Slots slots) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = c.numAttentionHeads();
        int kvHeads = c.numKeyValueHeads();
        int d = c.headDim();
        int groups = heads / kvHeads;
        String[] p = paths[layer];
        NDArray q = linear(att.q, p[0], x, lora).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray k = linear(att.k, p[1], x, lora).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        NDArray v = linear(att.v, p[2], x, lora).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        q = Rope.apply(q, cs.get(0), cs.get(1)); // (rows, heads, t, headDim)
        k = Rope.apply(k, cs.get(0), cs.get(1)); // (rows, kvHeads, t, headDim)
        NDArray keys;
        NDArray values;
        if (slots instanceof Slots.Prompt pr) {
            cache.writePrompt(layer, pr.slot(), k, v);
            keys = k;
            values = v;
        } else {
            Slots.Step st = (Slots.Step) slots;
            cache.writeStep(layer, st.rowIdx(), st.posIdx(), k, v);
            keys = cache.keys(layer, st.rows(), st.longest());     // (rows, kvHeads, longest, headDim), a view
            values = cache.values(layer, st.rows(), st.longest());
        }
        NDArray qg = q.reshape(b, kvHeads, groups * t, d);          // query heads under their kv head
        NDArray s = qg.matMul(keys.transpose(0, 1, 3, 2)).mul(scale); // (rows, kvHeads, groups·t, len)
        s = s.add(mask).softmax(-1);
        NDArray y = s.matMul(values);                               // (rows, kvHeads, groups·t, headDim)
        y = y.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
        return linear(att.o, p[3], y, lora); // (rows, t, hidden)
    }

    private NDArray mlp(Mlp mlp, NDArray x, int layer, BatchedLora lora) {
        String[] p = paths[layer];
        NDArray g = linear(mlp.gate, p[4], x, lora);
        NDArray silu = g.mul(Activation.sigmoid(g));
        return linear(mlp.down, p[6], silu.mul(linear(mlp.up, p[5], x, lora)), lora);
    }
}

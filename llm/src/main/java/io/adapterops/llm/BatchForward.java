package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.List;

/**
 * The model's forward pass as the {@link InferenceEngine} runs it: over the rows of a
 * {@link BatchKvCache}, with each row's own adapter ({@link BatchedLora}). Same weights, same
 * order as {@link LlamaModel#forward}, two shapes:
 *
 * <pre>
 *   prefill: one row's prompt (t) → keys/values into its slot, logits of the last position (1, vocab)
 *   decode:  one token per row (rows) at each row's own position → logits (rows, vocab)
 * </pre>
 *
 * Between the layers' attention the activations are two-dimensional, (rows·t, hidden): a linear
 * layer on a matrix is one BLAS call without the reshapes PyTorch adds around a batched input, and
 * its LoRA term's B product takes the base output as its bias (one addmm instead of a matmul and
 * an add).
 *
 * Grouped-query attention is computed without copying keys: query heads are grouped under their
 * key/value head, {@code q (rows, kvHeads, groups·t, headDim) · kᵀ (rows, kvHeads, headDim, len)}.
 * Linear layers that read one input run as one matrix ({@link LlamaModel.Fused}: q/k/v, gate/up),
 * {@link BatchedLora} adds the LoRA terms to the group's output ({@link BatchedLora.Group}: one term
 * for the whole group while one adapter is held), then the output is split: fewer, larger ops per step.
 * Everything is created on the caller's step manager.
 */
final class BatchForward {

    private final LlamaModel model;
    private final LlamaConfig c;
    private final Rope rope;
    private final NDArray scale; // 1/sqrt(headDim), long-lived
    private final BatchedLora.Group[][] groups; // per layer: qkv, o, gateUp, down

    BatchForward(LlamaModel model, NDManager longLived) {
        this.model = model;
        this.c = model.config();
        this.rope = new Rope(c);
        this.scale = longLived.create((float) (1.0 / Math.sqrt(c.headDim())));
        this.groups = new BatchedLora.Group[c.numHiddenLayers()][];
        for (int i = 0; i < groups.length; i++) {
            String p = "model.layers." + i + ".";
            groups[i] = new BatchedLora.Group[] {
                group(p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj"),
                group(p + "self_attn.o_proj"),
                group(p + "mlp.gate_proj", p + "mlp.up_proj"),
                group(p + "mlp.down_proj")};
        }
    }

    private BatchedLora.Group group(String... paths) {
        long[] outs = new long[paths.length];
        for (int j = 0; j < paths.length; j++) {
            outs[j] = model.modules().get(paths[j]).out();
        }
        return new BatchedLora.Group(List.of(paths), outs, model.modules().get(paths[0]).in());
    }

    /** Every layer's groups, for the {@link BatchedLora} this pass applies. */
    List<BatchedLora.Group> groups() {
        return Arrays.stream(groups).flatMap(Arrays::stream).toList();
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
        NDArray x = run(m, m.create(ids), 1, t, pos, m.create(mask, new Shape(1, 1, groups * t, t)),
                cache, lora, new Slots.Prompt(slot));
        x = x.get("-1:, :"); // (1, hidden): only the last position's logits are needed
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
        NDArray x = run(m, m.create(ids), n, 1, pos, m.create(mask, new Shape(n, 1, 1, longest)),
                cache, lora, step);
        return logits(x).toFloatArray(); // (rows, vocab)
    }

    /** Where this pass's keys and values go, and what it attends over. */
    private sealed interface Slots {
        record Prompt(int slot) implements Slots {
        }

        record Step(NDArray rowIdx, NDArray posIdx, int rows, int longest) implements Slots {
        }
    }

    /** ids (rows·t), positions (rows, t) → hidden states (rows·t, hidden) after the final norm. */
    private NDArray run(NDManager m, NDArray ids, long rows, long t, int[][] positions, NDArray mask,
                        BatchKvCache cache, BatchedLora lora, Slots slots) {
        NDList cs = rope.tables(m, positions); // 2 × (rows, 1, t, headDim)
        NDArray x = ids.getNDArrayInternal().embedding(ids, model.embedding(), SparseFormat.DENSE).singletonOrThrow();
        for (int i = 0; i < groups.length; i++) {
            LlamaModel.Block blk = model.blocks().get(i);
            x = x.add(attention(blk.attention(), blk.inputNorm().forward(x), rows, t, cs, mask, cache, i, lora, slots));
            x = x.add(mlp(blk.mlp(), blk.postNorm().forward(x), i, lora));
        }
        return model.finalNorm().forward(x);
    }

    private NDArray logits(NDArray x) {
        return x.getNDArrayInternal().linear(x, model.head(), null).singletonOrThrow(); // (rows, vocab)
    }

    private static NDArray linear(NDArray weight, NDArray bias, BatchedLora.Group g, NDArray x, BatchedLora lora) {
        NDArray h = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        return lora.apply(g, x, h);
    }

    private NDArray attention(Attention att, NDArray x, long b, long t, NDList cs, NDArray mask, BatchKvCache cache,
                              int layer, BatchedLora lora, Slots slots) {
        int heads = c.numAttentionHeads();
        int kvHeads = c.numKeyValueHeads();
        int d = c.headDim();
        int groups = heads / kvHeads;
        BatchedLora.Group[] g = this.groups[layer];
        LlamaModel.Fused qkv = model.qkv(layer);
        NDList parts = linear(qkv.weight(), qkv.bias(), g[0], x, lora).split(qkv.splits(), 1);
        NDArray q = parts.get(0).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray k = parts.get(1).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        NDArray v = parts.get(2).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
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
        y = y.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b * t, (long) heads * d);
        return linear(att.o.weight(), att.o.bias(), g[1], y, lora); // (rows·t, hidden)
    }

    private NDArray mlp(Mlp mlp, NDArray x, int layer, BatchedLora lora) {
        BatchedLora.Group[] g = groups[layer];
        LlamaModel.Fused gateUp = model.gateUp(layer);
        NDList parts = linear(gateUp.weight(), gateUp.bias(), g[2], x, lora).split(gateUp.splits(), 1);
        NDArray gate = parts.get(0);
        NDArray silu = gate.mul(Activation.sigmoid(gate));
        return linear(mlp.down.weight(), mlp.down.bias(), g[3], silu.mul(parts.get(1)), lora);
    }
}

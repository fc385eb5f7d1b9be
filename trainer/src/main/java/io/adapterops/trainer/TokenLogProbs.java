package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adapterops.llm.LlamaModel;
import java.util.Arrays;
import java.util.List;

/** Log-probability of each sequence's trained tokens under the model, summed per sequence. */
final class TokenLogProbs {

    private TokenLogProbs() {
    }

    /**
     * Right-pads the sequences into one batch (causal attention never lets a real token see the
     * padding after it) and returns, for each, Σ log p(token j | tokens before j) over trained j.
     *
     * @return (batch,) on {@code m}
     */
    static NDArray sums(NDManager m, LlamaModel model, String adapter, List<Sequence> seqs, int padId,
                        boolean training) {
        int b = seqs.size();
        int t = seqs.stream().mapToInt(Sequence::length).max().orElseThrow();
        long[] ids = new long[b * t];
        long[] next = new long[b * t];
        float[] mask = new float[b * t];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            Sequence s = seqs.get(r);
            for (int j = 0; j < s.length(); j++) {
                ids[r * t + j] = s.ids()[j];
                if (j + 1 < s.length() && s.trained()[j + 1]) {
                    next[r * t + j] = s.ids()[j + 1];
                    mask[r * t + j] = 1;
                }
            }
        }
        NDArray logits = model.forward(m.create(ids, new Shape(b, t)), adapter, training); // (batch, seq, vocab)
        NDArray logp = logits.logSoftmax(2);
        NDArray picked = logp.gather(m.create(next, new Shape(b, t, 1)), 2).reshape(b, t); // (batch, seq)
        return picked.mul(m.create(mask, new Shape(b, t))).sum(new int[] {1}); // (batch,)
    }

    static long tokens(List<Sequence> seqs) {
        return seqs.stream().mapToLong(Sequence::length).sum();
    }
}

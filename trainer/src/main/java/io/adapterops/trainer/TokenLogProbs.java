package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adapterops.llm.LlamaModel;
import java.util.List;

/** Log-probability of each sequence's trained tokens under the model, summed per sequence. */
final class TokenLogProbs {

    private TokenLogProbs() {
    }

    /**
     * For each sequence, Σ log p(token j | tokens before j) over trained j. The sequences run end
     * to end, unpadded ({@link LlamaModel#hiddenUnpadded}), and the head and the softmax run only at
     * the positions that predict a trained token: the others carry no loss, and the vocabulary-wide
     * work there would be thrown away.
     *
     * @return (batch,) on {@code m}
     */
    static NDArray sums(NDManager m, LlamaModel model, String adapter, List<Sequence> seqs, boolean training) {
        int b = seqs.size();
        int total = 0;
        int n = 0;
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            Sequence s = seqs.get(r);
            lengths[r] = s.length();
            total += s.length();
            for (int j = 1; j < s.length(); j++) {
                n += s.trained()[j] ? 1 : 0;
            }
        }
        long[] ids = new long[total];
        long[] at = new long[n];     // position in ids that predicts a trained token
        long[] next = new long[n];   // the token it predicts
        float[] owner = new float[b * n]; // (batch, n): 1 where the prediction belongs to the row
        int k = 0;
        int start = 0;
        for (int r = 0; r < b; r++) {
            Sequence s = seqs.get(r);
            for (int j = 0; j < s.length(); j++) {
                ids[start + j] = s.ids()[j];
                if (j + 1 < s.length() && s.trained()[j + 1]) {
                    at[k] = start + j;
                    next[k] = s.ids()[j + 1];
                    owner[r * n + k] = 1;
                    k++;
                }
            }
            start += s.length();
        }
        NDArray hidden = model.hiddenUnpadded(m, ids, lengths, adapter, training); // (total, hidden)
        NDArray logits = model.logits(hidden.get(m.create(at))); // (n, vocab)
        NDArray picked = logits.logSoftmax(1).gather(m.create(next, new Shape(n, 1)), 1); // (n, 1)
        return m.create(owner, new Shape(b, n)).matMul(picked).reshape(b); // (batch,)
    }

    static long tokens(List<Sequence> seqs) {
        return seqs.stream().mapToLong(Sequence::length).sum();
    }
}

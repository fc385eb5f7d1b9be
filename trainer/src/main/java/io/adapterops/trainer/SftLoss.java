package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.adapterops.llm.LlamaModel;
import java.util.List;
import java.util.Map;

/** Next-token cross-entropy on reply tokens only, averaged over every trained token of the step. */
final class SftLoss implements ObjectiveLoss {

    private final LlamaModel model;
    private final String adapter;
    private final List<Sequence> rows;

    SftLoss(LlamaModel model, String adapter, List<Sequence> rows) {
        this.model = model;
        this.adapter = adapter;
        this.rows = List.copyOf(rows);
    }

    @Override
    public int size() {
        return rows.size();
    }

    @Override
    public double weight(List<Integer> batch) {
        return batch.stream().mapToInt(i -> rows.get(i).trainedCount()).sum();
    }

    @Override
    public Output forward(NDManager m, List<Integer> batch, double normaliser, boolean training) {
        List<Sequence> seqs = batch.stream().map(rows::get).toList();
        NDArray nll = TokenLogProbs.sums(m, model, adapter, seqs, training).sum().neg(); // scalar
        NDArray loss = nll.div(m.create((float) normaliser));
        return new Output(loss, nll.getFloat(), weight(batch), TokenLogProbs.tokens(seqs), Map.of());
    }
}

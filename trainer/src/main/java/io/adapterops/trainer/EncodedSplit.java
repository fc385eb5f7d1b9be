package io.adapterops.trainer;

import io.adapterops.llm.LlamaModel;
import io.adapterops.trainer.data.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * One split encoded (cut to {@code cutoff_len} as LLaMA-Factory cuts it, see {@link ChatEncoder})
 * and wrapped in its objective. Rows left with no trained token are dropped and counted.
 */
record EncodedSplit(ObjectiveLoss loss, List<Sequence> sequences, int truncated, int dropped) {

    static EncodedSplit of(List<Example> rows, ChatEncoder enc, TrainingConfig c, LlamaModel model, String adapter) {
        int truncated = 0;
        int dropped = 0;
        List<Sequence> seqs = new ArrayList<>();
        List<Sequence[]> pairs = new ArrayList<>();
        for (Example e : rows) {
            ChatEncoder.Encoded encoded = enc.encodeRow(e);
            Sequence[] s = encoded.sequences();
            truncated += encoded.truncated() ? 1 : 0;
            boolean empty = false;
            for (Sequence x : s) {
                empty |= x.trainedCount() == 0;
            }
            if (empty) {
                dropped++;
                continue;
            }
            seqs.add(s[0]);
            pairs.add(s);
        }
        if (c.objective() == Objective.SFT) {
            List<Sequence> packed = c.packing() ? Packing.pack(seqs, c.maxSeqLen()) : seqs;
            return new EncodedSplit(new SftLoss(model, adapter, packed), packed, truncated, dropped);
        }
        return new EncodedSplit(new PreferenceLoss(model, adapter, pairs, c.prefLoss(), c.dpoBeta(),
                c.simpoGamma()), seqs, truncated, dropped);
    }
}

package io.adapterops.trainer;

import io.adapterops.llm.LlamaModel;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.PreferencePair;
import java.util.ArrayList;
import java.util.List;

/**
 * One split rendered, tokenized, cut to {@code cutoff_len} and wrapped in its objective. Rows
 * left with no trained token after the cut are dropped and counted.
 */
record EncodedSplit(ObjectiveLoss loss, List<Sequence> sequences, int truncated, int dropped) {

    static EncodedSplit of(List<Example> rows, ChatEncoder enc, TrainingConfig c, LlamaModel model, String adapter,
                           int padId) {
        int truncated = 0;
        int dropped = 0;
        List<Sequence> seqs = new ArrayList<>();
        List<Sequence[]> pairs = new ArrayList<>();
        for (Example e : rows) {
            Sequence[] s = c.objective() == Objective.SFT
                    ? new Sequence[] {enc.encode((Conversation) e)}
                    : enc.encode((PreferencePair) e);
            boolean cut = false;
            boolean empty = false;
            for (int i = 0; i < s.length; i++) {
                cut |= s[i].length() > c.maxSeqLen();
                s[i] = s[i].truncate(c.maxSeqLen());
                empty |= s[i].trainedCount() == 0;
            }
            truncated += cut ? 1 : 0;
            if (empty) {
                dropped++;
                continue;
            }
            seqs.add(s[0]);
            pairs.add(s);
        }
        if (c.objective() == Objective.SFT) {
            List<Sequence> packed = c.packing() ? Packing.pack(seqs, c.maxSeqLen()) : seqs;
            return new EncodedSplit(new SftLoss(model, adapter, packed, padId), packed, truncated, dropped);
        }
        return new EncodedSplit(new DpoLoss(model, adapter, pairs, padId, c.dpoBeta()), seqs, truncated, dropped);
    }
}

package io.adapterops.trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs short SFT sequences into sequences of at most {@code maxLen} tokens, greedily in order, like
 * LLaMA-Factory's {@code packing}: fewer padded tokens per batch. Positions run on across the packed
 * rows and attention is not cut between them (no block-diagonal mask), so a row can see the rows
 * packed before it; loss masks are kept per row.
 */
final class Packing {

    private Packing() {
    }

    static List<Sequence> pack(List<Sequence> rows, int maxLen) {
        List<Sequence> out = new ArrayList<>();
        Sequence current = null;
        for (Sequence s : rows) {
            if (current != null && current.length() + s.length() <= maxLen) {
                current = current.concat(s);
            } else {
                if (current != null) {
                    out.add(current);
                }
                current = s;
            }
        }
        if (current != null) {
            out.add(current);
        }
        return out;
    }
}

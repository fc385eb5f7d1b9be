package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * sacreBLEU takes references as streams, each holding one reference per segment; scoring a segment
 * needs them the other way round.
 */
final class ReferenceStreams {

    private ReferenceStreams() {
    }

    /** The references of each segment, after checking every stream has one per hypothesis. */
    static List<List<String>> bySegment(String metric, List<String> hypotheses, List<List<String>> referenceStreams) {
        if (referenceStreams.isEmpty()) {
            throw new IllegalArgumentException(metric + " needs at least one reference stream");
        }
        for (int s = 0; s < referenceStreams.size(); s++) {
            int n = referenceStreams.get(s).size();
            if (n != hypotheses.size()) {
                throw new IllegalArgumentException("reference stream " + s + " has " + n
                        + " references but there are " + hypotheses.size() + " hypotheses");
            }
        }
        List<List<String>> out = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> refs = new ArrayList<>();
            for (List<String> stream : referenceStreams) {
                refs.add(stream.get(i));
            }
            out.add(refs);
        }
        return out;
    }
}

package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Corpus BLEU computed the way sacreBLEU 2.x computes it: per-segment n-gram statistics clipped by
 * the maximum count over references, closest reference length (ties to the shorter), brevity
 * penalty, smoothing, and an early 0 when not even one unigram matches (sacreBLEU #141).
 * Scores are on sacreBLEU's 0–100 scale.
 */
public final class Bleu {

    private static final double LOG_ZERO = -9999999999.0; // sacreBLEU's my_log(0)

    private final BleuTokenizer tokenizer;
    private final BleuSmoothing smoothing;
    private final double smoothValue;
    private final boolean lowercase;
    private final boolean effectiveOrder;
    private final int maxOrder;

    public Bleu(BleuTokenizer tokenizer, BleuSmoothing smoothing, Double smoothValue,
                boolean lowercase, boolean effectiveOrder, int maxOrder) {
        if (maxOrder < 1) {
            throw new IllegalArgumentException("max n-gram order must be at least 1, got " + maxOrder);
        }
        this.tokenizer = tokenizer;
        this.smoothing = smoothing;
        this.smoothValue = smoothValue == null ? smoothing.defaultValue() : smoothValue;
        this.lowercase = lowercase;
        this.effectiveOrder = effectiveOrder;
        this.maxOrder = maxOrder;
    }

    /** sacreBLEU's defaults: 13a, exp smoothing, case-sensitive, no effective order, 4-grams. */
    public static Bleu sacreDefaults() {
        return new Bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.EXP, null, false, false, 4);
    }

    public int maxOrder() {
        return maxOrder;
    }

    /**
     * @param hypotheses one output per segment
     * @param referenceStreams each stream holds one reference per segment, as sacreBLEU takes them
     */
    public double corpusScore(List<String> hypotheses, List<List<String>> referenceStreams) {
        return score(corpusStats(hypotheses, referenceStreams));
    }

    public List<BleuStats> segmentStats(List<String> hypotheses, List<List<String>> referenceStreams) {
        List<List<String>> refs = ReferenceStreams.bySegment("BLEU", hypotheses, referenceStreams);
        List<BleuStats> stats = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            stats.add(segmentStats(hypotheses.get(i), refs.get(i)));
        }
        return stats;
    }

    public BleuStats corpusStats(List<String> hypotheses, List<List<String>> referenceStreams) {
        return BleuStats.sum(segmentStats(hypotheses, referenceStreams), maxOrder);
    }

    public BleuStats segmentStats(String hypothesis, List<String> references) {
        List<String> hyp = tokenizer.tokenize(prepare(hypothesis));
        Map<List<String>, Integer> maxRefCounts = new HashMap<>();
        long closestLen = -1;
        long closestDiff = -1;
        for (String reference : references) {
            List<String> ref = tokenizer.tokenize(prepare(reference));
            long diff = Math.abs(hyp.size() - ref.size());
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLen = ref.size();
            } else if (diff == closestDiff && ref.size() < closestLen) {
                closestLen = ref.size();
            }
            for (Map.Entry<List<String>, Integer> e : ngrams(ref).entrySet()) {
                maxRefCounts.merge(e.getKey(), e.getValue(), Math::max);
            }
        }
        long[] correct = new long[maxOrder];
        long[] total = new long[maxOrder];
        for (Map.Entry<List<String>, Integer> e : ngrams(hyp).entrySet()) {
            int order = e.getKey().size() - 1;
            total[order] += e.getValue();
            correct[order] += Math.min(e.getValue(), maxRefCounts.getOrDefault(e.getKey(), 0));
        }
        return new BleuStats(correct, total, hyp.size(), Math.max(closestLen, 0));
    }

    /** BLEU from summed statistics (sacreBLEU's compute_bleu), 0–100. */
    public double score(BleuStats stats) {
        double[] correct = new double[maxOrder];
        double[] total = new double[maxOrder];
        for (int i = 0; i < maxOrder; i++) {
            correct[i] = stats.correct()[i];
            total[i] = stats.total()[i];
        }
        double bp = 1.0;
        if (stats.sysLen() < stats.refLen()) {
            bp = stats.sysLen() > 0 ? Math.exp(1.0 - (double) stats.refLen() / stats.sysLen()) : 0.0;
        }
        if (correct[0] == 0) {
            return 0.0;
        }
        double[] precisions = new double[maxOrder];
        double smoothMteval = 1.0;
        int effOrder = maxOrder;
        for (int n = 1; n <= maxOrder; n++) {
            if (smoothing == BleuSmoothing.ADD_K && n > 1) {
                correct[n - 1] += smoothValue;
                total[n - 1] += smoothValue;
            }
            if (total[n - 1] == 0) {
                break;
            }
            if (effectiveOrder) {
                effOrder = n;
            }
            if (correct[n - 1] == 0) {
                if (smoothing == BleuSmoothing.EXP) {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
                } else if (smoothing == BleuSmoothing.FLOOR) {
                    precisions[n - 1] = 100.0 * smoothValue / total[n - 1];
                }
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double logSum = 0;
        for (int i = 0; i < effOrder; i++) {
            logSum += precisions[i] == 0 ? LOG_ZERO : Math.log(precisions[i]);
        }
        return bp * Math.exp(logSum / effOrder);
    }

    /** sacreBLEU's _preprocess_segment: lower-case if asked, then Python's rstrip (the left end is left alone). */
    private String prepare(String text) {
        return PythonWhitespace.rstrip(lowercase ? text.toLowerCase(Locale.ROOT) : text);
    }

    private Map<List<String>, Integer> ngrams(List<String> tokens) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= maxOrder; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }
}

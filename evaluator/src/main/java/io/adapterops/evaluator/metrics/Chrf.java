package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * chrF (Popović 2015) and chrF++ (Popović 2017) computed the way sacreBLEU 2.x computes them.
 * Character n-grams up to {@code charOrder} are taken with whitespace removed; chrF++ adds word
 * n-grams up to {@code wordOrder} over words with one leading or trailing ASCII punctuation mark split
 * off. Each order gives hypothesis, reference and matched counts; the F-beta score averages precision
 * and recall over the orders where both sides have n-grams (sacreBLEU's default "effective order"),
 * or, with epsilon smoothing, averages per-order F-scores as chrF++.py does. Against several
 * references a segment keeps the statistics of its best-scoring reference. Scores are on 0–100.
 */
public final class Chrf {

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python string.punctuation
    private static final double EPS = 1e-16;

    private final int charOrder;
    private final int wordOrder;
    private final int beta;
    private final boolean lowercase;
    private final boolean whitespace;
    private final boolean epsSmoothing;

    public Chrf(int charOrder, int wordOrder, int beta, boolean lowercase, boolean whitespace, boolean epsSmoothing) {
        if (charOrder < 1 || wordOrder < 0) {
            throw new IllegalArgumentException("chrF needs a character order of at least 1 and a word order of at least 0,"
                    + " got " + charOrder + " and " + wordOrder);
        }
        this.charOrder = charOrder;
        this.wordOrder = wordOrder;
        this.beta = beta;
        this.lowercase = lowercase;
        this.whitespace = whitespace;
        this.epsSmoothing = epsSmoothing;
    }

    /** sacreBLEU's chrF defaults: character 6-grams, beta 2, case-sensitive, no whitespace, effective order. */
    public static Chrf chrf() {
        return new Chrf(6, 0, 2, false, false, false);
    }

    /** chrF++: the chrF defaults plus word unigrams and bigrams. */
    public static Chrf chrfPlusPlus() {
        return new Chrf(6, 2, 2, false, false, false);
    }

    /** Character orders plus word orders: the length of every {@link ChrfStats} array. */
    public int order() {
        return charOrder + wordOrder;
    }

    /**
     * @param hypotheses one output per segment
     * @param referenceStreams each stream holds one reference per segment, as sacreBLEU takes them
     */
    public double corpusScore(List<String> hypotheses, List<List<String>> referenceStreams) {
        List<List<String>> refs = ReferenceStreams.bySegment("chrF", hypotheses, referenceStreams);
        ChrfStats sum = ChrfStats.zero(order());
        for (int i = 0; i < hypotheses.size(); i++) {
            sum = sum.plus(segmentStats(hypotheses.get(i), refs.get(i)));
        }
        return score(sum);
    }

    public double sentenceScore(String hypothesis, List<String> references) {
        return score(segmentStats(hypothesis, references));
    }

    public ChrfStats segmentStats(String hypothesis, List<String> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("chrF needs at least one reference");
        }
        List<Map<String, Integer>> hyp = ngrams(prepare(hypothesis));
        ChrfStats best = null;
        double bestScore = -1;
        for (String reference : references) {
            List<Map<String, Integer>> ref = ngrams(prepare(reference));
            long[] hypCounts = new long[order()];
            long[] refCounts = new long[order()];
            long[] matches = new long[order()];
            for (int i = 0; i < order(); i++) {
                for (Map.Entry<String, Integer> e : hyp.get(i).entrySet()) {
                    hypCounts[i] += e.getValue();
                    matches[i] += Math.min(e.getValue(), ref.get(i).getOrDefault(e.getKey(), 0));
                }
                if (ref.get(i).isEmpty()) {
                    hypCounts[i] = 0; // as sacreBLEU: an order the reference lacks counts no hypothesis n-grams
                }
                refCounts[i] = ref.get(i).values().stream().mapToLong(Integer::longValue).sum();
            }
            ChrfStats stats = new ChrfStats(hypCounts, refCounts, matches);
            double s = score(stats);
            if (s > bestScore) {
                bestScore = s;
                best = stats;
            }
        }
        return best;
    }

    /** chrF from summed statistics (sacreBLEU's _compute_f_score), 0–100. */
    public double score(ChrfStats stats) {
        double factor = (double) beta * beta;
        double epsScore = 0;
        double avgPrecision = 0;
        double avgRecall = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < order(); i++) {
            long nHyp = stats.hyp()[i];
            long nRef = stats.ref()[i];
            double precision = nHyp > 0 ? (double) stats.match()[i] / nHyp : EPS;
            double recall = nRef > 0 ? (double) stats.match()[i] / nRef : EPS;
            double denom = factor * precision + recall;
            epsScore += denom > 0 ? (1 + factor) * precision * recall / denom : EPS;
            if (nHyp > 0 && nRef > 0) {
                avgPrecision += precision;
                avgRecall += recall;
                effectiveOrder++;
            }
        }
        if (epsSmoothing) {
            return 100 * epsScore / order();
        }
        if (effectiveOrder == 0) {
            return 0.0;
        }
        avgPrecision /= effectiveOrder;
        avgRecall /= effectiveOrder;
        if (avgPrecision + avgRecall == 0) {
            return 0.0;
        }
        return 100 * ((1 + factor) * avgPrecision * avgRecall / (factor * avgPrecision + avgRecall));
    }

    private String prepare(String text) {
        return lowercase ? text.toLowerCase(Locale.ROOT) : text;
    }

    /** Counts per order: character n-grams (over code points, as Python indexes strings), then word n-grams. */
    private List<Map<String, Integer>> ngrams(String text) {
        List<Map<String, Integer>> out = new ArrayList<>(order());
        int[] chars = (whitespace ? text : String.join("", PythonWhitespace.split(text))).codePoints().toArray();
        for (int n = 1; n <= charOrder; n++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i + n <= chars.length; i++) {
                counts.merge(new String(chars, i, n), 1, Integer::sum);
            }
            out.add(counts);
        }
        List<String> words = wordOrder > 0 ? wordsWithPunctuationSplit(text) : List.of();
        for (int n = 1; n <= wordOrder; n++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i + n <= words.size(); i++) {
                counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
            }
            out.add(counts);
        }
        return out;
    }

    /** sacreBLEU's _remove_punctuation: a trailing mark is split off, else a leading one; "(hi)" gives "(hi" and ")". */
    private static List<String> wordsWithPunctuationSplit(String text) {
        List<String> words = new ArrayList<>();
        for (String w : PythonWhitespace.split(text)) {
            int last = w.length() - 1;
            if (w.codePointCount(0, w.length()) == 1) {
                words.add(w);
            } else if (PUNCTUATION.indexOf(w.charAt(last)) >= 0) {
                words.add(w.substring(0, last));
                words.add(w.substring(last));
            } else if (PUNCTUATION.indexOf(w.charAt(0)) >= 0) {
                words.add(w.substring(0, 1));
                words.add(w.substring(1));
            } else {
                words.add(w);
            }
        }
        return words;
    }
}

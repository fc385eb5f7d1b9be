package io.adapterops.evaluator.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Exact match, normalised exact match and token F1 as the official SQuAD v1.1 evaluation script
 * defines them: normalisation lower-cases, drops ASCII punctuation, drops the articles a/an/the and
 * collapses whitespace; against several references the best score counts.
 */
public final class AnswerMatch {

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python string.punctuation
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");

    private AnswerMatch() {
    }

    public static String normalize(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        lower.codePoints().filter(cp -> cp > 127 || PUNCTUATION.indexOf(cp) < 0).forEach(noPunct::appendCodePoint);
        String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
        return PythonWhitespace.collapse(noArticles);
    }

    public static double exactMatch(String prediction, List<String> references) {
        return references.stream().anyMatch(prediction::equals) ? 1.0 : 0.0;
    }

    public static double normalizedExactMatch(String prediction, List<String> references) {
        String p = normalize(prediction);
        return references.stream().anyMatch(r -> normalize(r).equals(p)) ? 1.0 : 0.0;
    }

    public static double tokenF1(String prediction, List<String> references) {
        double best = 0.0;
        for (String r : references) {
            best = Math.max(best, tokenF1(prediction, r));
        }
        return best;
    }

    public static double tokenF1(String prediction, String reference) {
        return f1(PythonWhitespace.split(normalize(prediction)), PythonWhitespace.split(normalize(reference)));
    }

    /**
     * Token F1 for unsegmented text such as Chinese: the same normalisation, then every
     * non-space character is a token (as CMRC-style Chinese reading-comprehension scoring does).
     */
    public static double characterF1(String prediction, List<String> references) {
        double best = 0.0;
        for (String r : references) {
            best = Math.max(best, f1(BleuTokenizer.CHAR.tokenize(normalize(prediction)), BleuTokenizer.CHAR.tokenize(normalize(r))));
        }
        return best;
    }

    private static double f1(List<String> p, List<String> r) {
        Map<String, Integer> refCounts = new HashMap<>();
        r.forEach(t -> refCounts.merge(t, 1, Integer::sum));
        int same = 0;
        for (String t : p) {
            Integer c = refCounts.get(t);
            if (c != null && c > 0) {
                same++;
                refCounts.put(t, c - 1);
            }
        }
        if (same == 0) {
            return 0.0;
        }
        double precision = (double) same / p.size();
        double recall = (double) same / r.size();
        return 2 * precision * recall / (precision + recall);
    }
}

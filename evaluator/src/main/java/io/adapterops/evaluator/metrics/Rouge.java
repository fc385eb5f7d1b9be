package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ROUGE-N and ROUGE-L as Google's rouge-score computes them. English: lower-case, every run of
 * characters outside [a-z0-9] becomes a space, tokens longer than three letters are optionally
 * Porter-stemmed. Chinese (character level): each CJK character is a token, and runs of ASCII
 * letters or digits are tokenised as in English, because rouge-score's own tokenizer would drop
 * every Chinese character. Full-width letters and digits (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A)
 * are character tokens too: sacreBLEU's {@code zh} tokenizer counts all of U+FF00–FFEF as Chinese
 * characters, one token each, and keeps their width (no NFKC), so {@code 第１章} is three tokens
 * in both metrics rather than losing {@code １} to the English rule.
 */
public final class Rouge {

    public enum Level { WORD, CHARACTER }

    private static final Pattern NON_ALNUM = Pattern.compile("[^a-z0-9]+");
    private static final Pattern VALID_TOKEN = Pattern.compile("^[a-z0-9]+$");

    private final Level level;
    private final PorterStemmer stemmer;

    public Rouge(Level level, boolean useStemmer) {
        this.level = level;
        this.stemmer = useStemmer ? new PorterStemmer() : null;
    }

    public static Rouge words(boolean useStemmer) {
        return new Rouge(Level.WORD, useStemmer);
    }

    public static Rouge characters() {
        return new Rouge(Level.CHARACTER, false);
    }

    /** ROUGE-N for n ≥ 1. Argument order follows rouge-score: target (reference) first. */
    public RougeScore rougeN(int n, String target, String prediction) {
        if (n < 1) {
            throw new IllegalArgumentException("ROUGE-N needs n >= 1, got " + n);
        }
        Map<List<String>, Integer> t = ngrams(tokenize(target), n);
        Map<List<String>, Integer> p = ngrams(tokenize(prediction), n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> e : t.entrySet()) {
            overlap += Math.min(e.getValue(), p.getOrDefault(e.getKey(), 0));
        }
        int tCount = t.values().stream().mapToInt(Integer::intValue).sum();
        int pCount = p.values().stream().mapToInt(Integer::intValue).sum();
        return RougeScore.of((double) overlap / Math.max(pCount, 1), (double) overlap / Math.max(tCount, 1));
    }

    public RougeScore rougeL(String target, String prediction) {
        List<String> t = tokenize(target);
        List<String> p = tokenize(prediction);
        if (t.isEmpty() || p.isEmpty()) {
            return new RougeScore(0, 0, 0);
        }
        int lcs = lcsLength(t, p);
        return RougeScore.of((double) lcs / p.size(), (double) lcs / t.size());
    }

    /**
     * Summary-level ROUGE-L ("rougeLsum"): sentences are separated by newlines, hits are the union
     * LCS of each reference sentence against all predicted sentences, each token counted at most as
     * often as it occurs on both sides.
     */
    public RougeScore rougeLsum(String target, String prediction) {
        List<List<String>> ref = sentences(target);
        List<List<String>> can = sentences(prediction);
        int m = ref.stream().mapToInt(List::size).sum();
        int n = can.stream().mapToInt(List::size).sum();
        if (m == 0 || n == 0) {
            return new RougeScore(0, 0, 0);
        }
        Map<String, Integer> refCounts = new HashMap<>();
        Map<String, Integer> canCounts = new HashMap<>();
        ref.forEach(s -> s.forEach(t -> refCounts.merge(t, 1, Integer::sum)));
        can.forEach(s -> s.forEach(t -> canCounts.merge(t, 1, Integer::sum)));
        int hits = 0;
        for (List<String> r : ref) {
            java.util.TreeSet<Integer> union = new java.util.TreeSet<>();
            for (List<String> c : can) {
                union.addAll(lcsIndices(r, c));
            }
            for (int i : union) {
                String t = r.get(i);
                if (canCounts.getOrDefault(t, 0) > 0 && refCounts.getOrDefault(t, 0) > 0) {
                    hits++;
                    canCounts.merge(t, -1, Integer::sum);
                    refCounts.merge(t, -1, Integer::sum);
                }
            }
        }
        return RougeScore.of((double) hits / n, (double) hits / m);
    }

    private List<List<String>> sentences(String text) {
        List<List<String>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(tokenize(line));
            }
        }
        return out;
    }

    public List<String> tokenize(String text) {
        return level == Level.WORD ? wordTokens(text) : characterTokens(text);
    }

    private List<String> wordTokens(String text) {
        String cleaned = NON_ALNUM.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ");
        List<String> tokens = new ArrayList<>();
        for (String token : cleaned.split("\\s+")) {
            String t = stemmer != null && token.length() > 3 ? stemmer.stem(token) : token;
            if (VALID_TOKEN.matcher(t).matches()) {
                tokens.add(t);
            }
        }
        return tokens;
    }

    private List<String> characterTokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(cp -> {
            if (isCjk(cp) || isFullWidthAlphanumeric(cp)) {
                flush(run, tokens);
                tokens.add(new String(Character.toChars(cp)));
            } else {
                run.appendCodePoint(cp);
            }
        });
        flush(run, tokens);
        return tokens;
    }

    private void flush(StringBuilder run, List<String> tokens) {
        if (!run.isEmpty()) {
            tokens.addAll(wordTokens(run.toString()));
            run.setLength(0);
        }
    }

    static boolean isCjk(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
    }

    private static boolean isFullWidthAlphanumeric(int cp) {
        return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    /** Indices into {@code ref} of one longest common subsequence, read back as rouge-score does. */
    private static List<Integer> lcsIndices(List<String> ref, List<String> can) {
        int[][] t = new int[ref.size() + 1][can.size() + 1];
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= can.size(); j++) {
                t[i][j] = ref.get(i - 1).equals(can.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        List<Integer> lcs = new ArrayList<>();
        int i = ref.size();
        int j = can.size();
        while (i > 0 && j > 0) {
            if (ref.get(i - 1).equals(can.get(j - 1))) {
                lcs.add(0, i - 1);
                i--;
                j--;
            } else if (t[i][j - 1] > t[i - 1][j]) {
                j--;
            } else {
                i--;
            }
        }
        return lcs;
    }

    private static int lcsLength(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.size()];
    }
}

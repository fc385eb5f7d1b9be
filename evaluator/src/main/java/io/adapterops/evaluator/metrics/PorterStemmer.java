package io.adapterops.evaluator.metrics;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The Porter stemmer in NLTK's default {@code NLTK_EXTENSIONS} mode, which is what Google's
 * rouge-score uses with {@code use_stemmer=True}. Steps follow NLTK's {@code porter.py}: a rule list
 * is tried in order and the first suffix that matches decides, whether or not its condition holds.
 * Input must be lower case.
 */
public final class PorterStemmer {

    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"),
            Map.entry("lying", "lie"), Map.entry("tying", "tie"), Map.entry("news", "news"),
            Map.entry("innings", "inning"), Map.entry("inning", "inning"),
            Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"),
            Map.entry("howe", "howe"), Map.entry("proceed", "proceed"),
            Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    private record Rule(String suffix, String replacement, Predicate<String> condition) {
    }

    public String stem(String word) {
        String irregular = IRREGULAR.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return word;
        }
        String s = step1a(word);
        s = step1b(s);
        s = step1c(s);
        s = step2(s);
        s = step3(s);
        s = step4(s);
        s = step5a(s);
        return step5b(s);
    }

    private boolean isConsonant(String w, int i) {
        char c = w.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(w, i - 1);
        }
        return true;
    }

    /** Porter's m: the number of vowel-consonant sequences. */
    private int measure(String stem) {
        int m = 0;
        for (int i = 1; i < stem.length(); i++) {
            if (!isConsonant(stem, i - 1) && isConsonant(stem, i)) {
                m++;
            }
        }
        return m;
    }

    private boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!isConsonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    private boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    private boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            return last != 'w' && last != 'x' && last != 'y';
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
    }

    private String applyRules(String word, Rule... rules) {
        for (Rule rule : rules) {
            if (rule.suffix.equals("*d") && endsDoubleConsonant(word)) {
                String stem = word.substring(0, word.length() - 2);
                return rule.condition == null || rule.condition.test(stem) ? stem + rule.replacement : word;
            }
            if (word.endsWith(rule.suffix)) {
                String stem = word.substring(0, word.length() - rule.suffix.length());
                return rule.condition == null || rule.condition.test(stem) ? stem + rule.replacement : word;
            }
        }
        return word;
    }

    private String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return w.substring(0, w.length() - 3) + "ie";
        }
        return applyRules(w, new Rule("sses", "ss", null), new Rule("ies", "i", null),
                new Rule("ss", "ss", null), new Rule("s", "", null));
    }

    private String step1b(String w) {
        if (w.endsWith("ied")) {
            return w.substring(0, w.length() - 3) + (w.length() == 4 ? "ie" : "i");
        }
        if (w.endsWith("eed")) {
            String stem = w.substring(0, w.length() - 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String intermediate = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (w.endsWith(suffix)) {
                String stem = w.substring(0, w.length() - suffix.length());
                if (containsVowel(stem)) {
                    intermediate = stem;
                    break;
                }
            }
        }
        if (intermediate == null) {
            return w;
        }
        char last = intermediate.charAt(intermediate.length() - 1);
        return applyRules(intermediate,
                new Rule("at", "ate", null), new Rule("bl", "ble", null), new Rule("iz", "ize", null),
                new Rule("*d", String.valueOf(last), stem -> last != 'l' && last != 's' && last != 'z'),
                new Rule("", "e", stem -> measure(stem) == 1 && endsCvc(stem)));
    }

    private String step1c(String w) {
        return applyRules(w, new Rule("y", "i", stem -> stem.length() > 1 && isConsonant(stem, stem.length() - 1)));
    }

    private String step2(String w) {
        if (w.endsWith("alli") && positiveMeasure(w.substring(0, w.length() - 4))) {
            return step2(w.substring(0, w.length() - 4) + "al");
        }
        Predicate<String> m0 = this::positiveMeasure;
        return applyRules(w,
                new Rule("ational", "ate", m0), new Rule("tional", "tion", m0), new Rule("enci", "ence", m0),
                new Rule("anci", "ance", m0), new Rule("izer", "ize", m0), new Rule("bli", "ble", m0),
                new Rule("alli", "al", m0), new Rule("entli", "ent", m0), new Rule("eli", "e", m0),
                new Rule("ousli", "ous", m0), new Rule("ization", "ize", m0), new Rule("ation", "ate", m0),
                new Rule("ator", "ate", m0), new Rule("alism", "al", m0), new Rule("iveness", "ive", m0),
                new Rule("fulness", "ful", m0), new Rule("ousness", "ous", m0), new Rule("aliti", "al", m0),
                new Rule("iviti", "ive", m0), new Rule("biliti", "ble", m0), new Rule("fulli", "ful", m0),
                // NLTK keeps the 'l' of 'logi' with the stem when measuring, so 'geo', 'theo' work
                new Rule("logi", "log", stem -> positiveMeasure(w.substring(0, w.length() - 3))));
    }

    private String step3(String w) {
        Predicate<String> m0 = this::positiveMeasure;
        return applyRules(w, new Rule("icate", "ic", m0), new Rule("ative", "", m0), new Rule("alize", "al", m0),
                new Rule("iciti", "ic", m0), new Rule("ical", "ic", m0), new Rule("ful", "", m0),
                new Rule("ness", "", m0));
    }

    private String step4(String w) {
        Predicate<String> m1 = stem -> measure(stem) > 1;
        return applyRules(w, new Rule("al", "", m1), new Rule("ance", "", m1), new Rule("ence", "", m1),
                new Rule("er", "", m1), new Rule("ic", "", m1), new Rule("able", "", m1), new Rule("ible", "", m1),
                new Rule("ant", "", m1), new Rule("ement", "", m1), new Rule("ment", "", m1), new Rule("ent", "", m1),
                new Rule("ion", "", stem -> measure(stem) > 1 && !stem.isEmpty()
                        && (stem.endsWith("s") || stem.endsWith("t"))),
                new Rule("ou", "", m1), new Rule("ism", "", m1), new Rule("ate", "", m1), new Rule("iti", "", m1),
                new Rule("ous", "", m1), new Rule("ive", "", m1), new Rule("ize", "", m1));
    }

    private String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = w.substring(0, w.length() - 1);
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private String step5b(String w) {
        return applyRules(w, new Rule("ll", "l", stem -> measure(w.substring(0, w.length() - 1)) > 1));
    }
}

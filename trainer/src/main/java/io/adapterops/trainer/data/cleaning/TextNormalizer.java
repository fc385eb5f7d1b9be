package io.adapterops.trainer.data.cleaning;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * NFKC (full-width letters, ligatures and odd spaces become their plain forms) and whitespace:
 * one kind of line break, no control or zero-width characters, no trailing spaces, runs of spaces
 * and tabs inside a line collapsed to one space, at most one blank line in a row. Leading indentation is kept, since
 * replies may hold code.
 */
final class TextNormalizer {
    private static final Pattern INVISIBLE = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]|[\\u200B-\\u200D\\u2060\\uFEFF]");
    private static final Pattern INNER_RUN = Pattern.compile("(?<=\\S)(?: {2,}|[ \\t]*\\t[ \\t]*)(?=\\S)");
    private static final Pattern TRAILING = Pattern.compile("[ \\t]+(?=\\n|$)");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

    private TextNormalizer() {
    }

    static String normalize(String text) {
        if (isPlain(text)) {
            return text;
        }
        String s = Normalizer.isNormalized(text, Normalizer.Form.NFKC) ? text
                : Normalizer.normalize(text, Normalizer.Form.NFKC);
        return isTidy(s) ? s : whitespace(s);
    }

    /** Every rule applied, with no short cut: what {@link #normalize} must always equal. */
    static String normalizeFully(String text) {
        return whitespace(Normalizer.normalize(text, Normalizer.Form.NFKC));
    }

    private static String whitespace(String nfkc) {
        String s = nfkc;
        s = s.replace("\r\n", "\n").replace('\r', '\n');
        s = INVISIBLE.matcher(s).replaceAll("");
        s = INNER_RUN.matcher(s).replaceAll(" ");
        s = TRAILING.matcher(s).replaceAll("");
        s = BLANK_LINES.matcher(s).replaceAll("\n\n");
        return s.strip();
    }

    /**
     * Printable ASCII lines with single spaces, no trailing or surrounding blanks and no run of
     * blank lines: already normal, and most rows of most datasets. Skipping NFKC and the regexes
     * for them halves the cost of cleaning.
     */
    private static boolean isPlain(String text) {
        int n = text.length();
        if (n == 0) {
            return true;
        }
        if (text.charAt(0) == ' ' || text.charAt(0) == '\n' || text.charAt(n - 1) == ' ' || text.charAt(n - 1) == '\n') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                char before = text.charAt(i - 1);
                if (before == ' ' || before == '\n' && text.charAt(i - 2) == '\n') {
                    return false;
                }
            } else if (c < 0x20 || c > 0x7e || c == ' ' && text.charAt(i + 1) == ' ') {
                return false;
            }
        }
        return true;
    }

    /**
     * Text in which none of the rules below NFKC would change anything: no line break but {@code \n},
     * no control or zero-width character, no tab, no two spaces in a row, no space before a line
     * break, no three line breaks in a row, no white space at either end. Most rows of non-English
     * sets (which {@link #isPlain} turns away) are already so.
     */
    private static boolean isTidy(String text) {
        int n = text.length();
        if (n == 0) {
            return true;
        }
        if (Character.isWhitespace(text.codePointAt(0)) || Character.isWhitespace(text.codePointBefore(n))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                char before = text.charAt(i - 1);
                if (before == ' ' || before == '\n' && text.charAt(i - 2) == '\n') {
                    return false;
                }
            } else if (c == ' ') {
                if (text.charAt(i + 1) == ' ') {
                    return false;
                }
            } else if (Character.getType(c) == Character.CONTROL || c >= '\u200B' && c <= '\u200D' || c == '\u2060'
                    || c == '\uFEFF') {
                return false;
            }
        }
        return true;
    }
}

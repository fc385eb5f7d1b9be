package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Whitespace as Python's {@code str.isspace()} sees it, which is what {@code str.split()} and
 * {@code str.strip()} use in sacreBLEU and the SQuAD script. Java's {@link Character#isWhitespace}
 * leaves out U+0085, U+00A0, U+2007 and U+202F, so "and\u00a0line" would be one token here and two
 * there. Every such character is in the BMP, so scanning UTF-16 units is exact.
 */
final class PythonWhitespace {

    private PythonWhitespace() {
    }

    static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** {@code s.split()}: the runs between whitespace, none empty. */
    static List<String> split(String s) {
        List<String> tokens = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            if (isSpace(s.charAt(i))) {
                if (start >= 0) {
                    tokens.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            tokens.add(s.substring(start));
        }
        return tokens;
    }

    /** {@code ' '.join(s.split())}. */
    static String collapse(String s) {
        return String.join(" ", split(s));
    }

    static String strip(String s) {
        int begin = 0;
        while (begin < s.length() && isSpace(s.charAt(begin))) {
            begin++;
        }
        return rstrip(s.substring(begin));
    }

    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}

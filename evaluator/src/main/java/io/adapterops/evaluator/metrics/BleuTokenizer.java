package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The tokenisations sacreBLEU offers that we support: {@code 13a} (mteval-v13a, the WMT default),
 * {@code none} (split on whitespace) and {@code char} (every non-space character is a token, the
 * character-level option for Chinese and other unsegmented scripts).
 */
public enum BleuTokenizer {
    THIRTEEN_A {
        @Override
        public List<String> tokenize(String line) {
            String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
            if (s.indexOf('&') >= 0) {
                s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
            }
            s = " " + s + " ";
            s = SYMBOLS.matcher(s).replaceAll(" $1 ");
            s = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(s).replaceAll("$1 $2 ");
            s = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(s).replaceAll(" $1 $2");
            s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
            return PythonWhitespace.split(s);
        }
    },
    NONE {
        @Override
        public List<String> tokenize(String line) {
            return PythonWhitespace.split(line);
        }
    },
    CHAR {
        @Override
        public List<String> tokenize(String line) {
            List<String> tokens = new ArrayList<>();
            line.codePoints().filter(cp -> !PythonWhitespace.isSpace(cp))
                    .forEach(cp -> tokens.add(new String(Character.toChars(cp))));
            return tokens;
        }
    };

    // The four regular expressions of mteval-v13a as sacreBLEU's TokenizerRegexp writes them.
    private static final Pattern SYMBOLS = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    public abstract List<String> tokenize(String line);

    public static BleuTokenizer named(String name) {
        return switch (name) {
            case "13a" -> THIRTEEN_A;
            case "none" -> NONE;
            case "char" -> CHAR;
            default -> throw new IllegalArgumentException(
                    "unknown BLEU tokenizer '" + name + "'; use one of 13a, none, char");
        };
    }
}

package io.adapterops.evaluator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The tokenisations sacreBLEU offers that we support: {@code 13a} (mteval-v13a, the WMT default),
 * {@code zh} (sacreBLEU's Chinese tokenizer: each Chinese character a token, the rest as 13a),
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
            return regexps(" " + s + " ");
        }
    },
    ZH {
        @Override
        public List<String> tokenize(String line) {
            StringBuilder spaced = new StringBuilder();
            PythonWhitespace.strip(line).codePoints().forEach(cp -> {
                if (isSacreBleuChinese(cp)) {
                    spaced.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    spaced.appendCodePoint(cp);
                }
            });
            return regexps(spaced.toString());
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

    /**
     * tokenizer_zh.py's _UCODE_RANGES as Python compares them. The bounds meant as U+20000..U+2A6D6
     * (Extension B) and U+2F800..U+2FA1D are written with five hex digits, which Python reads as a
     * four-digit escape and one more character; compared as strings, those ranges hold U+2001..U+2A6D
     * (general punctuation, €, arrows, maths...) and U+2F81..U+2FA1, and nothing outside the BMP is
     * Chinese to sacreBLEU. Kept so, because scores must match sacreBLEU's.
     */
    private static final int[][] ZH_RANGES = {
            {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D}, {0xFA30, 0xFA6A},
            {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1}, {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF},
            {0x3000, 0x303F}, {0x31C0, 0x31EF}, {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F},
            {0x31A0, 0x31BF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
            {0x3200, 0x32FF}, {0x3300, 0x33FF},
    };

    public abstract List<String> tokenize(String line);

    public static BleuTokenizer named(String name) {
        return switch (name) {
            case "13a" -> THIRTEEN_A;
            case "zh" -> ZH;
            case "none" -> NONE;
            case "char" -> CHAR;
            default -> throw new IllegalArgumentException(
                    "unknown BLEU tokenizer '" + name + "'; use one of 13a, zh, none, char");
        };
    }

    /** sacreBLEU's TokenizerRegexp, the part 13a and zh share. */
    private static List<String> regexps(String line) {
        String s = SYMBOLS.matcher(line).replaceAll(" $1 ");
        s = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(s).replaceAll("$1 $2 ");
        s = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(s).replaceAll(" $1 $2");
        s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        return PythonWhitespace.split(s);
    }

    private static boolean isSacreBleuChinese(int cp) {
        for (int[] range : ZH_RANGES) {
            if (cp >= range[0] && cp <= range[1]) {
                return true;
            }
        }
        return false;
    }
}

package io.adapterops.trainer.data.cleaning;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Replaces each valid PII match with its kind's placeholder, counting matches per kind. Public so
 * that text stored outside datasets (the service's request log) is redacted by the same rules.
 */
public final class PiiScrubber {
    private final Set<PiiKind> kinds;

    public PiiScrubber(Set<PiiKind> kinds) {
        this.kinds = Set.copyOf(kinds);
    }

    /** The text with every valid match of every kind replaced. */
    public String redact(String text) {
        return redact(text, new EnumMap<>(PiiKind.class));
    }

    String redact(String text, Map<PiiKind, Integer> found) {
        int digits = 0;
        boolean at = false;
        boolean dash = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            digits += c >= '0' && c <= '9' ? 1 : 0;
            at |= c == '@';
            dash |= c == '-';
        }
        String s = text;
        for (PiiKind kind : PiiKind.values()) {
            if (!kinds.contains(kind) || !mayHold(kind, digits, at, dash)) {
                continue;
            }
            Matcher m = kind.pattern().matcher(s);
            if (!m.find()) {
                continue;
            }
            m.reset();
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                boolean valid = kind.isValid(m.group());
                if (valid) {
                    found.merge(kind, 1, Integer::sum);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(valid ? kind.placeholder() : m.group()));
            }
            m.appendTail(out);
            s = out.toString();
        }
        return s;
    }

    /**
     * Necessary conditions of each pattern, so that the regexes, most of the cost of cleaning, run
     * only on text that could hold a match. Counted on the text before earlier kinds' redactions,
     * which only remove characters.
     */
    private static boolean mayHold(PiiKind kind, int digits, boolean at, boolean dash) {
        return switch (kind) {
            case EMAIL -> at;
            case CN_NATIONAL_ID -> digits >= 17;
            case US_SSN -> dash && digits >= 9;
            case CARD -> digits >= 13;
            case PHONE -> digits >= 8;
        };
    }
}

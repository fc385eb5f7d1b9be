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
        DigitShape shape = DigitShape.of(text);
        String s = text;
        for (PiiKind kind : PiiKind.values()) {
            if (!kinds.contains(kind) || !shape.mayHold(kind)) {
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
}

package io.adapterops.trainer.data.cleaning;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/** Replaces each valid PII match with its kind's placeholder, counting matches per kind. */
final class PiiScrubber {
    private final Set<PiiKind> kinds;

    PiiScrubber(Set<PiiKind> kinds) {
        this.kinds = Set.copyOf(kinds);
    }

    String redact(String text, Map<PiiKind, Integer> found) {
        String s = text;
        for (PiiKind kind : PiiKind.values()) {
            if (!kinds.contains(kind)) {
                continue;
            }
            Matcher m = kind.pattern().matcher(s);
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

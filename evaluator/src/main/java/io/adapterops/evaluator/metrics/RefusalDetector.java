package io.adapterops.evaluator.metrics;

import java.util.List;
import java.util.Locale;

/**
 * Decides whether a reply declines the request, for English and Chinese. Rule-based on purpose: it
 * is cheap, deterministic and auditable, and its precision and recall are measured on the labelled
 * replies this module ships ({@link LabelledReplies}).
 */
public final class RefusalDetector {

    private final RefusalRules rules;

    public RefusalDetector(RefusalRules rules) {
        this.rules = rules;
    }

    public static RefusalDetector withDefaults() {
        return new RefusalDetector(RefusalRules.defaults());
    }

    public boolean isRefusal(String reply) {
        String head = normalise(reply);
        if (head.length() > rules.headChars()) {
            head = head.substring(0, rules.headChars());
        }
        for (String phrase : rules.phrases()) {
            if (head.contains(phrase)) {
                return true;
            }
        }
        String h = head;
        return rules.patterns().stream().anyMatch(p -> p.matcher(h).find());
    }

    public double refusalRate(List<String> replies) {
        if (replies.isEmpty()) {
            throw new IllegalArgumentException("refusal rate needs at least one reply");
        }
        return replies.stream().filter(this::isRefusal).count() / (double) replies.size();
    }

    /** Lower case, typographic apostrophes made plain, whitespace collapsed. */
    private static String normalise(String reply) {
        return PythonWhitespace.collapse(reply.replace('\u2019', '\'').replace('\u2018', '\'').toLowerCase(Locale.ROOT));
    }
}

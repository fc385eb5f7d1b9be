package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blocked terms (toxic words, slurs) in the replies the model learns to produce. Prompts and
 * rejected replies are left alone: a rude question answered politely, or a toxic reply marked as
 * rejected, is exactly what teaches the model not to be toxic. Latin terms match whole words,
 * CJK terms anywhere; case is ignored.
 */
final class BlocklistStep implements RowStep {
    static final String PLACEHOLDER = "[BLOCKED]";
    private final Pattern pattern;
    private final FilterAction action;

    BlocklistStep(List<String> terms, FilterAction action) {
        this.action = action;
        List<String> alternatives = new ArrayList<>();
        for (String term : terms) {
            String t = Normalizer.normalize(term, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            boolean cjk = t.codePoints().anyMatch(Cjk::is);
            alternatives.add(cjk ? Pattern.quote(t) : "(?<![\\p{L}\\p{N}])" + Pattern.quote(t) + "(?![\\p{L}\\p{N}])");
        }
        this.pattern = alternatives.isEmpty() ? null
                : Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    @Override
    public String name() {
        return "blocklist";
    }

    @Override
    public Example apply(Example row, StepTally tally) {
        if (pattern == null || row.targets().stream().noneMatch(t -> pattern.matcher(t).find())) {
            return row;
        }
        tally.count("rows_matched", 1);
        if (action == FilterAction.DROP) {
            tally.removed();
            return null;
        }
        tally.changed();
        return row.mapTargets(t -> pattern.matcher(t).replaceAll(Matcher.quoteReplacement(PLACEHOLDER)));
    }
}

package io.adapterops.evaluator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What counts as a refusal: phrases (case-insensitive substrings) and regular expressions
 * (case-insensitive), grouped by language, and how many leading characters of a reply are searched.
 * Refusals come first in a reply, so searching only its head keeps a refusal quoted later in a
 * helpful answer from counting. Defaults ship as {@code refusal/default-rules.json}.
 */
public record RefusalRules(int headChars, List<String> phrases, List<Pattern> patterns) {

    private static final String DEFAULT = "/io/adapterops/evaluator/refusal/default-rules.json";

    public RefusalRules {
        if (headChars < 1) {
            throw new IllegalArgumentException("headChars must be positive, got " + headChars);
        }
        phrases = phrases.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        patterns = List.copyOf(patterns);
    }

    public static RefusalRules defaults() {
        try (InputStream in = RefusalRules.class.getResourceAsStream(DEFAULT)) {
            return fromJson(in, DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code {"headChars": n, "<lang>": {"phrases": [...], "patterns": [...]}, ...}}. */
    public static RefusalRules fromJson(InputStream in, String source) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": refusal rules must be a JSON object");
        }
        List<String> phrases = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String lang = it.next();
            if (lang.equals("headChars")) {
                continue;
            }
            JsonNode group = root.get(lang);
            group.path("phrases").forEach(p -> phrases.add(p.asText()));
            for (JsonNode p : group.path("patterns")) {
                try {
                    patterns.add(Pattern.compile(p.asText(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(source + ": bad pattern in '" + lang + "': " + e.getDescription()
                            + " in " + p.asText(), e);
                }
            }
        }
        return new RefusalRules(root.path("headChars").asInt(240), phrases, patterns);
    }
}

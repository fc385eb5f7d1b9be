package io.adapterops.llm;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of one generation as tokens arrive: decoded from all tokens so far, cut before the first
 * stop string, and released for streaming only once it can no longer change (not an unfinished
 * UTF-8 character, not a possible start of a stop string). What was streamed is always a prefix of
 * the final text, and the stop string itself is never shown.
 */
final class StreamingText {

    private final TextTokenizer tokenizer;
    private final List<String> stop;
    private final List<Integer> tokens = new ArrayList<>();
    private String text = "";
    private int streamed;
    private boolean stopped;

    StreamingText(TextTokenizer tokenizer, List<String> stop) {
        this.tokenizer = tokenizer;
        this.stop = stop;
    }

    /** Adds a generated token; returns true when a stop string appeared (the text is then cut before it). */
    boolean add(int token) {
        tokens.add(token);
        text = tokenizer.decode(tokenIds(), false);
        int cut = -1;
        for (String s : stop) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            text = text.substring(0, cut);
            stopped = true;
        }
        return stopped;
    }

    String text() {
        return text;
    }

    int[] tokenIds() {
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    int tokenCount() {
        return tokens.size();
    }

    /** The text that became safe to show since the last call; with {@code end} (or after a stop), all of it. */
    String release(boolean end) {
        int upTo = end || stopped ? text.length() : safeLength();
        String delta = upTo > streamed ? text.substring(streamed, upTo) : "";
        streamed = Math.max(streamed, upTo);
        return delta;
    }

    private int safeLength() {
        int safe = text.length();
        while (safe > 0 && text.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        for (String s : stop) {
            for (int k = Math.min(s.length() - 1, safe); k > 0; k--) {
                if (text.startsWith(s.substring(0, k), safe - k)) {
                    safe = Math.min(safe, safe - k);
                    break;
                }
            }
        }
        return Math.max(safe, Math.min(streamed, text.length()));
    }
}

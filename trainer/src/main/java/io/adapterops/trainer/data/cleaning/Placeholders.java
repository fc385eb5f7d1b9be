package io.adapterops.trainer.data.cleaning;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Template placeholders left in rows ({@code {{name}}}, {@code {{ product }}}): the generator that
 * filled the template missed them, and the model would learn to answer with them.
 */
final class Placeholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*[\\p{L}\\p{N}_.-]+\\s*}}");

    private int count;
    private int rows;
    private int first = -1;
    private String example;

    /** Looks at the next row of the cleaned set. */
    void add(String text) {
        int row = rows++;
        if (text.indexOf("{{") < 0) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        if (m.find()) {
            count++;
            if (first < 0) {
                first = row;
                example = m.group();
            }
        }
    }

    Optional<String> warning() {
        return count == 0 ? Optional.empty() : Optional.of(String.format(
                "%,d rows hold template placeholders such as %s (first: row %d of the cleaned set)",
                count, example, first + 1));
    }
}

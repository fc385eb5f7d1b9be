package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Template placeholders left in rows ({@code {{name}}}, {@code {{ product }}}): the generator that
 * filled the template missed them, and the model would learn to answer with them.
 */
final class Placeholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*[\\p{L}\\p{N}_.-]+\\s*}}");

    private Placeholders() {
    }

    static Optional<String> warning(List<Example> rows) {
        int count = 0;
        int first = -1;
        String example = null;
        for (int i = 0; i < rows.size(); i++) {
            String text = rows.get(i).text();
            if (text.indexOf("{{") < 0) {
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(text);
            if (m.find()) {
                count++;
                if (first < 0) {
                    first = i;
                    example = m.group();
                }
            }
        }
        return count == 0 ? Optional.empty() : Optional.of(String.format(
                "%,d rows hold template placeholders such as %s (first: row %d of the cleaned set)",
                count, example, first + 1));
    }
}

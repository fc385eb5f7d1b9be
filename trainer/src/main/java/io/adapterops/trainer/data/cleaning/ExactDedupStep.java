package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.ContentHash;
import io.adapterops.trainer.data.Example;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the first of rows whose normalised text is identical; holds only a 32-byte hash and a count
 * per row. A row repeated many times is collapsed all the same, but with a warning: a file that is
 * mostly one row is more likely a broken export than a dataset.
 */
final class ExactDedupStep implements CleaningStep {
    static final int WARN_AT_COPIES = 100;

    @Override
    public String name() {
        return "exact_dedup";
    }

    @Override
    public List<Example> apply(List<Example> rows, StepTally tally) {
        Map<ByteBuffer, int[]> copies = new HashMap<>();
        List<Example> out = new ArrayList<>(rows.size());
        for (Example e : rows) {
            int[] seen = copies.computeIfAbsent(ByteBuffer.wrap(ContentHash.of(e.text())), k -> new int[]{0, out.size()});
            if (seen[0]++ == 0) {
                out.add(e);
            } else {
                tally.removed();
            }
        }
        copies.values().stream().filter(c -> c[0] >= WARN_AT_COPIES)
                .sorted((a, b) -> Integer.compare(b[0], a[0])).limit(5)
                .forEach(c -> tally.warn(String.format("%,d identical copies of one row collapsed to one (kept as row %d: %s)",
                        c[0], c[1] + 1, preview(out.get(c[1])))));
        return out;
    }

    static String preview(Example e) {
        String prompt = e.lastPrompt().replace('\n', ' ');
        return "\"" + (prompt.length() > 60 ? prompt.substring(0, 60) + "…" : prompt) + "\"";
    }
}

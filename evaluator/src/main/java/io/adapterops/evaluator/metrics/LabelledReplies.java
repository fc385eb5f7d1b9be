package io.adapterops.evaluator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Replies labelled by hand as refusal or not, English and Chinese, used to measure a
 * {@link RefusalDetector}. The shipped set is {@code refusal/labelled-replies.jsonl}.
 */
public final class LabelledReplies {

    public record Reply(String text, String lang, boolean refusal) {
    }

    /** Confusion counts of a detector on a labelled set; refusal is the positive class. */
    public record Quality(int truePositives, int falsePositives, int falseNegatives, int trueNegatives) {

        public double precision() {
            int flagged = truePositives + falsePositives;
            return flagged == 0 ? 0.0 : truePositives / (double) flagged;
        }

        public double recall() {
            int positives = truePositives + falseNegatives;
            return positives == 0 ? 0.0 : truePositives / (double) positives;
        }
    }

    private static final String SHIPPED = "/io/adapterops/evaluator/refusal/labelled-replies.jsonl";

    private LabelledReplies() {
    }

    public static List<Reply> shipped() {
        try (InputStream in = LabelledReplies.class.getResourceAsStream(SHIPPED)) {
            return read(in, SHIPPED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Reply> read(InputStream in, String source) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<Reply> out = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = mapper.readTree(line);
            if (!row.path("text").isTextual() || !row.path("refusal").isBoolean()) {
                throw new IllegalArgumentException(source + ":" + n + ": needs a string 'text' and a boolean 'refusal'");
            }
            out.add(new Reply(row.get("text").asText(), row.path("lang").asText("und"), row.get("refusal").asBoolean()));
        }
        return out;
    }

    public static Quality measure(RefusalDetector detector, List<Reply> replies) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        int tn = 0;
        for (Reply r : replies) {
            boolean flagged = detector.isRefusal(r.text());
            if (flagged && r.refusal()) {
                tp++;
            } else if (flagged) {
                fp++;
            } else if (r.refusal()) {
                fn++;
            } else {
                tn++;
            }
        }
        return new Quality(tp, fp, fn, tn);
    }
}

package io.adapterops.trainer.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads an upload, JSON array or JSONL, row by row, and validates every row. Every bad row is
 * reported by line and field; memory holds one row at a time (plus whatever the sink keeps).
 */
public final class DatasetReader {
    private static final int SNIFF_BYTES = 64 * 1024;

    private final ReadOptions options;
    private final ObjectMapper mapper;
    private final ObjectReader lineReader;

    public DatasetReader(ReadOptions options) {
        this.options = options;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Math.max(options.maxLineBytes(), 1)).build())
                .build();
        this.mapper = new ObjectMapper(factory);
        // One JSONL line holds one row: "{...} {...}" is broken, not two rows.
        this.lineReader = mapper.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public LoadedDataset load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads everything; the examples are dropped if the upload is rejected. */
    public LoadedDataset load(InputStream in) {
        List<Example> examples = new ArrayList<>();
        ValidationReport report = read(in, examples::add);
        return new LoadedDataset(report.accepted() ? examples : List.of(), report);
    }

    /**
     * Streams each good row to {@code sink} as it is read. The verdict comes only at the end: a
     * caller that stores rows must discard them when the report is not accepted.
     */
    public ValidationReport read(InputStream raw, Consumer<Example> sink) {
        Session session = new Session(sink);
        try {
            BufferedInputStream in = new BufferedInputStream(raw, SNIFF_BYTES);
            int first = firstSignificantByte(in);
            if (first == '{' && spansLines(in)) {
                session.fatal(1, -1, "the file is one JSON object spread over several lines; a dataset is a JSON"
                        + " array of rows or JSON lines (one row per line)");
            } else if (first == '[') {
                session.jsonArray = true;
                readArray(in, session);
            } else {
                readLines(in, session);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (session.rowsRead == 0 && session.problems.isEmpty()) {
            session.fatal(1, -1, "the file is empty: no rows");
        }
        return session.report();
    }

    private static int firstSignificantByte(BufferedInputStream in) throws IOException {
        in.mark(SNIFF_BYTES);
        try {
            for (int i = 0; i < SNIFF_BYTES; i++) {
                int b = in.read();
                if (b < 0 || !(Character.isWhitespace(b) || b == 0xEF || b == 0xBB || b == 0xBF)) {
                    return b;
                }
            }
            return -1;
        } finally {
            in.reset();
        }
    }

    /**
     * True when the first JSON value does not end on its first line: a pretty-printed top-level
     * object, which JSON lines cannot be. Reads at most the sniffed bytes and puts them back.
     */
    private boolean spansLines(BufferedInputStream in) throws IOException {
        in.mark(SNIFF_BYTES);
        byte[] head = in.readNBytes(SNIFF_BYTES);
        in.reset();
        try (JsonParser p = mapper.getFactory().createParser(head)) {
            p.nextToken();
            int firstLine = p.currentTokenLocation().getLineNr();
            p.skipChildren();
            return p.currentLocation().getLineNr() > firstLine;
        } catch (JsonProcessingException e) {
            // Broken or longer than the sniffed bytes: the line reader reports it row by row.
            return false;
        }
    }

    private void readLines(InputStream in, Session session) throws IOException {
        Utf8Lines lines = new Utf8Lines(in, options.maxLineBytes());
        for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
            if (line.tooLong()) {
                session.rowsRead++;
                session.badRow(List.of(new RowProblem(line.number(), -1, null,
                        "line is longer than " + options.maxLineBytes() + " bytes (the limit)")));
                continue;
            }
            if (line.text().isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = lineReader.readTree(line.text());
            } catch (JsonProcessingException e) {
                session.rowsRead++;
                String why = line.badByte() > 0 ? "invalid UTF-8 at byte " + line.badByte()
                        : "broken JSON: " + e.getOriginalMessage();
                session.badRow(List.of(new RowProblem(line.number(), -1, null, why)));
                continue;
            }
            if (line.badByte() > 0) {
                session.rowsRead++;
                session.badRow(List.of(new RowProblem(line.number(), -1,
                        JsonPaths.firstContaining(node, Utf8Lines.MALFORMED),
                        "invalid UTF-8 at byte " + line.badByte())));
                continue;
            }
            session.row(node, line.number(), -1);
        }
    }

    private void readArray(InputStream in, Session session) throws IOException {
        int element = 0;
        int line = 1;
        try (JsonParser p = mapper.getFactory().createParser(in)) {
            try {
                p.nextToken();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t == null) {
                        session.fatal(p.currentLocation().getLineNr(), element, "broken JSON: the array is not closed");
                        return;
                    }
                    line = p.currentTokenLocation().getLineNr();
                    long start = p.currentTokenLocation().getByteOffset();
                    JsonNode node = mapper.readTree(p);
                    if (p.currentLocation().getByteOffset() - start > options.maxLineBytes()) {
                        session.rowsRead++;
                        session.badRow(List.of(new RowProblem(line, element, null,
                                "element is longer than " + options.maxLineBytes() + " bytes (the limit)")));
                    } else {
                        session.row(node, line, element);
                    }
                    element++;
                }
                if (p.nextToken() != null) {
                    session.fatal(p.currentTokenLocation().getLineNr(), -1, "unexpected content after the array");
                }
            } catch (StreamConstraintsException e) {
                session.fatal(line, element, "element holds a string longer than " + options.maxLineBytes()
                        + " characters (the limit); the rest of the array cannot be read");
            } catch (JsonProcessingException e) {
                session.fatal(e.getLocation() == null ? line : e.getLocation().getLineNr(), element,
                        "broken JSON, the rest of the array cannot be read: "
                        + e.getOriginalMessage());
            }
        }
    }

    /** The running state of one read. */
    private final class Session {
        private final Consumer<Example> sink;
        private final List<RowProblem> problems = new ArrayList<>();
        private DatasetFormat format = options.format();
        private DatasetKind kind;
        private boolean jsonArray;
        private boolean fatal;
        private int rowsRead;
        private int rowsAccepted;
        private int badRows;
        private int omitted;

        Session(Consumer<Example> sink) {
            this.sink = sink;
        }

        void row(JsonNode node, int line, int element) {
            rowsRead++;
            DatasetDescription description = options.description();
            RowProblems rp = description == null ? new RowProblems(line, element)
                    : new RowProblems(line, element, description::rowField);
            if (!node.isObject()) {
                rp.add(null, "expected a JSON object, got " + node.getNodeType().name().toLowerCase());
                badRow(rp.list());
                return;
            }
            refuseWhatWouldBeDropped(node, rp);
            if (!rp.isEmpty()) {
                badRow(rp.list());
                return;
            }
            if (format == null) {
                format = DatasetFormat.detect(node);
            }
            if (format == null) {
                rp.add(null, "cannot tell the format: expected a field 'instruction', 'conversations',"
                        + " 'messages' or 'prompt'");
                badRow(rp.list());
                return;
            }
            if (kind == null) {
                kind = description == null ? DatasetFormat.detectKind(node) : description.kind();
            }
            JsonNode c = node.get(options.categoryField());
            String category = c == null || c.isNull() || c.isContainerNode() ? null : c.asText();
            JsonNode row = description == null ? node : description.rewrite(node, options.categoryField());
            Example example = format.rows().parse(row, kind, category, rp);
            if (example == null || !rp.isEmpty()) {
                badRow(rp.list());
                return;
            }
            rowsAccepted++;
            sink.accept(example);
        }

        /** Fields that training here cannot use are refused by name rather than silently ignored. */
        private void refuseWhatWouldBeDropped(JsonNode node, RowProblems rp) {
            for (String media : List.of("images", "videos", "audios")) {
                JsonNode v = node.get(media);
                if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                    rp.add(media, media + " are not supported: the models trained here are text-only;"
                            + " remove the field or the row");
                }
            }
            JsonNode label = node.get("label");
            if (label != null && !label.isNull()) {
                rp.add("label", "KTO rows (a true/false 'label' per reply) are not supported: give preference"
                        + " pairs ('chosen' and 'rejected') for DPO, or drop 'label' to train on every reply (SFT)");
            }
        }

        void badRow(List<RowProblem> rowProblems) {
            badRows++;
            for (RowProblem p : rowProblems) {
                if (problems.size() < options.maxProblems()) {
                    problems.add(p);
                } else {
                    omitted++;
                }
            }
        }

        /** A problem after which the file cannot be read on; it rejects the upload even when skipping. */
        void fatal(int line, int element, String message) {
            fatal = true;
            problems.add(new RowProblem(line, element, null, message));
        }

        ValidationReport report() {
            boolean accepted = !fatal && rowsAccepted > 0 && (badRows == 0 || options.skipInvalid());
            return new ValidationReport(format, kind, jsonArray, rowsRead, rowsAccepted, badRows,
                    problems, omitted, accepted);
        }
    }
}

package io.adapterops.monitoring.drift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link FeatureProfile} as JSON and reads it back exactly (doubles are written in
 * Java's shortest round-trip form), so the service can store a reference profile with its
 * DatasetVersion without this library depending on a JSON framework. The format is versioned and
 * small: sparse histogram bins and the reservoir's keys and values (a few tens of KiB at most).
 *
 * <pre>{"format": "adapterops.feature-profile/1", "seed": 0, "rows": 1200,
 *  "numeric": {"prompt_tokens": {"bins": [1, 256, 0.02, 460], "count": 1200, "mean": 41.5, "m2": 9.1e5,
 *              "min": 3, "max": 950, "histogram": [[index, count, sum], ...], "sample": [[key, value], ...]}},
 *  "categorical": {"cjk_share": {"categories": ["none", ...], "counts": [1100, ...]}}}</pre>
 */
public final class ProfileJson {

    public static final String FORMAT = "adapterops.feature-profile/1";

    private ProfileJson() { }

    public static String write(FeatureProfile profile) {
        StringBuilder out = new StringBuilder(4096);
        out.append("{\"format\":\"").append(FORMAT).append("\",\"seed\":").append(profile.seed())
                .append(",\"rows\":").append(profile.rows()).append(",\"numeric\":{");
        boolean first = true;
        for (Feature f : profile.features()) {
            if (f.kind() != Feature.Kind.NUMERIC) {
                continue;
            }
            out.append(first ? "" : ",").append('"').append(f.id()).append("\":");
            writeNumeric(out, profile.numeric(f));
            first = false;
        }
        out.append("},\"categorical\":{");
        first = true;
        for (Feature f : profile.features()) {
            if (f.kind() != Feature.Kind.CATEGORICAL) {
                continue;
            }
            CategoricalSketch sketch = profile.categorical(f);
            out.append(first ? "" : ",").append('"').append(f.id()).append("\":{\"categories\":[");
            List<String> categories = sketch.categories();
            for (int i = 0; i < categories.size(); i++) {
                out.append(i == 0 ? "" : ",").append('"').append(categories.get(i)).append('"');
            }
            out.append("],\"counts\":[");
            long[] counts = sketch.counts();
            for (int i = 0; i < counts.length; i++) {
                out.append(i == 0 ? "" : ",").append(counts[i]);
            }
            out.append("]}");
            first = false;
        }
        return out.append("}}").toString();
    }

    private static void writeNumeric(StringBuilder out, NumericSketch sketch) {
        Histogram h = sketch.histogram();
        Histogram.Bins bins = h.bins();
        out.append("{\"bins\":[").append(bins.unit()).append(',').append(bins.linearBins()).append(',')
                .append(bins.growth()).append(',').append(bins.logBins()).append("],\"count\":")
                .append(sketch.count()).append(",\"mean\":").append(sketch.mean()).append(",\"m2\":")
                .append(sketch.m2());
        if (sketch.count() > 0) {
            out.append(",\"min\":").append(h.min()).append(",\"max\":").append(h.max());
        }
        out.append(",\"histogram\":[");
        boolean first = true;
        for (int i = 0; i < bins.count(); i++) {
            if (h.binCount(i) > 0) {
                out.append(first ? "" : ",").append('[').append(i).append(',').append(h.binCount(i)).append(',')
                        .append(h.binSum(i)).append(']');
                first = false;
            }
        }
        out.append("],\"sample\":[");
        double[] keys = sketch.reservoir().keys();
        double[] values = sketch.reservoir().values();
        for (int i = 0; i < keys.length; i++) {
            out.append(i == 0 ? "" : ",").append('[').append(keys[i]).append(',').append(values[i]).append(']');
        }
        out.append("]}");
    }

    public static FeatureProfile read(String json) {
        Map<String, Object> root = object(new Parser(json).document(), "profile");
        if (!FORMAT.equals(root.get("format"))) {
            throw new IllegalArgumentException("not a feature profile of format " + FORMAT + ": format is "
                    + root.get("format"));
        }
        FeatureProfile profile = new FeatureProfile(number(root, "seed").longValue());
        profile.restoreRows(number(root, "rows").longValue());
        object(root.get("numeric"), "numeric").forEach((id, value) ->
                readNumeric(profile.numeric(Feature.byId(id)), object(value, id), id));
        object(root.get("categorical"), "categorical").forEach((id, value) -> {
            Map<String, Object> fields = object(value, id);
            CategoricalSketch sketch = profile.categorical(Feature.byId(id));
            if (!sketch.categories().equals(fields.get("categories"))) {
                throw new IllegalArgumentException(id + ": stored categories " + fields.get("categories")
                        + " differ from " + sketch.categories());
            }
            List<Object> counts = list(fields.get("counts"), id + ".counts");
            for (int i = 0; i < counts.size(); i++) {
                sketch.add(i, ((Double) counts.get(i)).longValue());
            }
        });
        return profile;
    }

    private static void readNumeric(NumericSketch sketch, Map<String, Object> fields, String id) {
        Histogram h = sketch.histogram();
        List<Object> b = list(fields.get("bins"), id + ".bins");
        Histogram.Bins stored = new Histogram.Bins((Double) b.get(0), ((Double) b.get(1)).intValue(),
                (Double) b.get(2), ((Double) b.get(3)).intValue());
        if (!stored.equals(h.bins())) {
            throw new IllegalArgumentException(id + ": stored bins " + stored + " differ from " + h.bins());
        }
        long count = number(fields, "count").longValue();
        if (count == 0) {
            return;
        }
        for (Object bin : list(fields.get("histogram"), id + ".histogram")) {
            List<Object> triple = list(bin, id + ".histogram[]");
            h.restoreBin(((Double) triple.get(0)).intValue(), ((Double) triple.get(1)).longValue(),
                    (Double) triple.get(2));
        }
        h.restoreRange(number(fields, "min"), number(fields, "max"));
        for (Object entry : list(fields.get("sample"), id + ".sample")) {
            List<Object> pair = list(entry, id + ".sample[]");
            sketch.reservoir().offer((Double) pair.get(0), (Double) pair.get(1));
        }
        sketch.restoreMoments(count, number(fields, "mean"), number(fields, "m2"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " must be a JSON object");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalArgumentException(what + " must be a JSON array");
    }

    private static Double number(Map<String, Object> fields, String name) {
        if (fields.get(name) instanceof Double d) {
            return d;
        }
        throw new IllegalArgumentException("'" + name + "' must be a number");
    }

    /** Just enough JSON for this format: objects, arrays, strings without escapes beyond \" and \\, numbers. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipSpace();
            if (pos != text.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(pos);
            if (c == '{') {
                return objectValue();
            }
            if (c == '[') {
                return arrayValue();
            }
            if (c == '"') {
                return stringValue();
            }
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            try {
                return Double.parseDouble(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("expected a value");
            }
        }

        private Map<String, Object> objectValue() {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                String key = stringValue();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> arrayValue() {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String stringValue() {
            expect('"');
            StringBuilder s = new StringBuilder();
            while (peek() != '"') {
                char c = text.charAt(pos++);
                s.append(c == '\\' ? text.charAt(pos++) : c);
            }
            pos++;
            return s.toString();
        }

        private char peek() {
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            return text.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad profile JSON at character " + pos + ": " + what);
        }
    }
}

package io.adapterops.service.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The provisioned dashboards (grafana/dashboards/*.json) as the PromQL they send to Prometheus. */
final class GrafanaDashboards {
    static final Path DIR = Path.of("..", "grafana", "dashboards");
    static final Path PROVISIONING = Path.of("..", "grafana", "provisioning");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One expression: a panel target, an annotation or a template variable's query. */
    record Query(String dashboard, String where, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + where + ": " + expr;
        }
    }

    /** A template variable: {@code label_values(selector, label)}. */
    record Variable(String dashboard, String name, String selector, String label) {
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel target and Prometheus annotation of every dashboard. */
    static List<Query> panelQueries() {
        List<Query> out = new ArrayList<>();
        for (Path file : files()) {
            JsonNode d = read(file);
            String title = d.path("title").asText();
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    out.add(new Query(title, "panel \"" + panel.path("title").asText() + "\" target " + t.path("refId").asText(),
                            t.path("expr").asText()));
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                if (a.has("expr")) {
                    out.add(new Query(title, "annotation \"" + a.path("name").asText() + "\"", a.path("expr").asText()));
                }
            }
        }
        return out;
    }

    static List<Variable> variables() {
        List<Variable> out = new ArrayList<>();
        for (Path file : files()) {
            JsonNode d = read(file);
            for (JsonNode v : d.path("templating").path("list")) {
                JsonNode q = v.path("query");
                String text = q.isTextual() ? q.asText() : q.path("query").asText();
                Matcher m = LABEL_VALUES.matcher(text.trim());
                if (!m.matches()) {
                    throw new AssertionError(d.path("title").asText() + " variable " + v.path("name").asText()
                            + ": expected label_values(selector, label), got " + text);
                }
                out.add(new Variable(d.path("title").asText(), v.path("name").asText(), m.group(1).trim(), m.group(2)));
            }
        }
        return out;
    }

    /**
     * The expression as Grafana sends it: {@code $__rate_interval} and {@code $__interval} replaced by
     * {@code window}, and each {@code $name} by its value from {@code values}.
     */
    static String substitute(String expr, String window, Map<String, String> values) {
        String out = expr.replace("$__rate_interval", window).replace("$__interval", window)
                .replace("$__range", window);
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replaceAll("\\$\\{" + v.getKey() + "}|\\$" + v.getKey() + "\\b", Matcher.quoteReplacement(v.getValue()));
        }
        if (out.contains("$")) {
            throw new AssertionError("unknown variable left in " + out);
        }
        return out;
    }
}

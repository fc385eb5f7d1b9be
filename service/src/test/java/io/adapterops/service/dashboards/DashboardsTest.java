package io.adapterops.service.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import io.adapterops.service.dashboards.GrafanaDashboards.Query;
import io.adapterops.service.dashboards.GrafanaDashboards.Variable;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four Grafana dashboards against the real thing. One service (embedded H2, tiny model, real HTTP)
 * serves the traffic of {@link DashboardTraffic} while Debian's Prometheus scrapes it every second.
 * Then: every PromQL expression of the dashboards and of docker/prometheus/alerts.yml parses
 * ({@code promtool check rules}) and reads only metrics the service exports; and every panel target
 * and annotation, with its variables set to values Prometheus lists for them, returns data through
 * Prometheus' query API. A panel that can never show anything fails here, by name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardsTest {
    /** Stands for Grafana's $__rate_interval and $__interval: longer than the whole scenario. */
    private static final String WINDOW = "10m";
    private static final long QUERY_DEADLINE_MS = 60_000;

    private TestServer server;
    private PrometheusServer prometheus;
    private DashboardTraffic traffic;
    private String scrape;

    @BeforeAll
    void serveTrafficWhilePrometheusScrapes(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir.resolve("service")));
        DashboardTraffic.configure(props);
        server = TestServer.start(props);
        Files.createDirectories(dir.resolve("prometheus"));
        prometheus = PrometheusServer.scraping(server.context().getBean(EmbeddedServer.class).getPort(),
                dir.resolve("prometheus"));
        traffic = new DashboardTraffic(server);
        step(t0, "service and Prometheus started");
        traffic.championTrainedAndEvaluated();
        step(t0, "version 1 trained, evaluated and promoted");
        // The lifecycle and trigger counters of the route must be scraped at zero before they move,
        // or increase() (and so the annotations) would never see their first step.
        awaitSeries("adapterops_lifecycle_transitions_total{route=\"" + traffic.route + "\",action=\"rollback\"}");
        awaitSeries("adapterops_retraining_triggers_total{route=\"" + traffic.route + "\"}");
        traffic.promotedAndRolledBack();
        traffic.challengerAndShadow();
        // likewise the shadow's counters: traffic finished within one scrape would leave rate() at 0/0
        awaitSeries("adapterops_shadow_requests_total{route=\"" + traffic.route + "\"}");
        step(t0, "version 2 promoted and rolled back; challenger and shadow on the route");
        traffic.baselineTwoHoursAgo(traffic.championVersion());
        traffic.chatTrafficWithFeedback();
        step(t0, DashboardTraffic.REQUESTS + " chat requests with feedback served");
        traffic.awaitRetrainingFired();
        awaitSeries("adapterops_training_eval_loss{job_id=\"" + traffic.trainingJob + "\"}");
        step(t0, "retraining fired");
        scrape = server.get("/prometheus", null).body();
    }

    private static void step(long t0, String what) {
        System.out.printf("dashboard scenario: %s after %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyDashboardAndAlertExpressionParsesAndReadsOnlyMetricsTheServiceExports(@TempDir Path dir) throws Exception {
        Map<String, String> exprs = new LinkedHashMap<>();
        for (Query q : GrafanaDashboards.panelQueries()) {
            exprs.put(q.toString(), GrafanaDashboards.substitute(q.expr(), WINDOW, values()));
        }
        for (Variable v : GrafanaDashboards.variables()) {
            exprs.put(v.dashboard() + " / variable " + v.name() + ": " + v.selector(),
                    GrafanaDashboards.substitute(v.selector(), WINDOW, values()));
        }
        exprs.putAll(alertExpressions());
        assertTrue(exprs.size() > 50, "dashboards and alerts hold " + exprs.size() + " expressions");

        List<Map<String, Object>> rules = new ArrayList<>();
        int n = 0;
        for (String expr : exprs.values()) {
            rules.add(Map.of("record", "adapterops_check:expr_" + n++, "expr", expr));
        }
        Path file = dir.resolve("dashboard-expressions.yml");
        Files.writeString(file, new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboards", "rules", rules)))));
        Process p = new ProcessBuilder("promtool", "check", "rules", file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("promtool check rules (" + exprs.size() + " expressions): " + out.strip());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("SUCCESS: " + exprs.size() + " rules found"), out);

        Set<String> exported = new LinkedHashSet<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        List<String> unknown = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        exprs.forEach((where, expr) -> {
            for (String name : PromQlNames.of(expr)) {
                used.add(name);
                if (!name.startsWith("adapterops_") || !exported.contains(name)) {
                    unknown.add(name + " in " + where);
                }
            }
        });
        System.out.println(used.size() + " metric names used: " + used);
        assertTrue(unknown.isEmpty(), "metrics the service does not export on /prometheus:\n" + String.join("\n", unknown));
        assertTrue(used.size() >= 20, "names found: " + used);
    }

    @Test
    void everyDashboardPanelReturnsDataFromARealPrometheus() throws Exception {
        Map<String, String> values = values();
        for (Variable v : GrafanaDashboards.variables()) {
            Set<String> listed = new LinkedHashSet<>();
            String selector = GrafanaDashboards.substitute(v.selector(), WINDOW, values);
            for (JsonNode series : prometheus.series(selector)) {
                listed.add(series.path(v.label()).asText());
            }
            System.out.println(v.dashboard() + " $" + v.name() + " = " + listed);
            assertTrue(listed.contains(values.get(v.name())), v.dashboard() + " variable $" + v.name() + " ("
                    + selector + ", " + v.label() + ") lists " + listed + ", not " + values.get(v.name()));
        }
        List<Query> queries = GrafanaDashboards.panelQueries();
        List<String> empty = new ArrayList<>();
        long deadline = System.currentTimeMillis() + QUERY_DEADLINE_MS;
        for (Query q : queries) {
            String expr = GrafanaDashboards.substitute(q.expr(), WINDOW, values);
            JsonNode result = prometheus.query(expr);
            while (!hasFiniteSample(result) && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                result = prometheus.query(expr);
            }
            System.out.println((hasFiniteSample(result) ? "data " : "EMPTY ") + result.size() + " series  " + q.dashboard()
                    + " / " + q.where());
            if (!hasFiniteSample(result)) {
                empty.add(q.dashboard() + " / " + q.where() + "\n    " + expr + "\n    -> " + result);
            }
        }
        assertTrue(queries.size() >= 40, "panel queries: " + queries.size());
        assertTrue(empty.isEmpty(), empty.size() + " of " + queries.size()
                + " panel queries returned no finite sample from Prometheus:\n" + String.join("\n", empty));
    }

    /** Template variable values: the scenario's route, adapter and training job. */
    private Map<String, String> values() {
        return Map.of("route", traffic.route, "adapter", traffic.adapter, "job_id", String.valueOf(traffic.trainingJob));
    }

    private static boolean hasFiniteSample(JsonNode result) {
        for (JsonNode sample : result) {
            double v = Double.parseDouble(sample.path("value").path(1).asText("NaN"));
            if (Double.isFinite(v)) {
                return true;
            }
        }
        return false;
    }

    private void awaitSeries(String selector) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (!prometheus.query(selector).isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Prometheus has no " + selector + " after 30 s\n" + prometheus.logTail());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> alertExpressions() throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(Path.of("..", "docker", "prometheus", "alerts.yml")));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                out.put("alerts.yml / " + rule.get("alert") + ": " + rule.get("expr"), String.valueOf(rule.get("expr")));
            }
        }
        return out;
    }
}

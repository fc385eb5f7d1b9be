package io.adapterops.service.monitoring;

import ai.djl.ndarray.NDManager;
import io.adapterops.evaluator.report.EvalReport;
import io.adapterops.evaluator.report.Estimate;
import io.adapterops.evaluator.report.Evaluator;
import io.adapterops.evaluator.suite.Suite;
import io.adapterops.evaluator.suite.SuiteKind;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.monitoring.Measurement;
import io.adapterops.service.evaluation.SuiteCatalog;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import io.micronaut.context.annotation.Value;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The canary-suite signal. On a schedule, each route's champion answers the route's canary suite
 * ({@code canary-<route>}: the operator's file under {@code <data-dir>/suites}, else a shipped one),
 * away from live traffic, and the suite's score ({@code adapterops.monitoring.canary-metric}, ROUGE-L
 * by default) is stored. The monitor compares the champion's latest score with the first one it got
 * after becoming champion; the sample size is the number of cases scored.
 */
@Singleton
public class CanarySuiteScores {
    /** A champion's first score since its promotion and its latest one. */
    public record Scores(Measurement first, Measurement latest, Instant firstAt, Instant latestAt) {
    }

    private final RouteRepository routes;
    private final VersionTransitions versions;
    private final SuiteCatalog suites;
    private final ModelStore store;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> tx;
    private final String metric;
    private final int maxNewTokens;

    public CanarySuiteScores(RouteRepository routes, VersionTransitions versions, SuiteCatalog suites, ModelStore store,
                             JdbcOperations jdbc, TransactionOperations<Connection> tx,
                             @Value("${adapterops.monitoring.canary-metric:rougeL}") String metric,
                             @Value("${adapterops.evaluation.max-new-tokens:48}") int maxNewTokens) {
        this.routes = routes;
        this.versions = versions;
        this.suites = suites;
        this.store = store;
        this.jdbc = jdbc;
        this.tx = tx;
        this.metric = metric;
        this.maxNewTokens = maxNewTokens;
    }

    /** Scores every route's champion on its canary suite; returns one line per route, for the run record. */
    public List<String> scoreChampions(Instant now) {
        List<String> done = new ArrayList<>();
        for (Route route : routes.findByChampionIdIsNotNullOrderById()) {
            Optional<Suite> suite = suiteOf(route.name());
            if (suite.isEmpty()) {
                done.add(route.name() + ": no canary suite 'canary-" + route.name() + "'");
                continue;
            }
            VersionRef champion = versions.byId(route.championId());
            double score = score(champion, suite.get(), route.name(), now);
            done.add(route.name() + ": " + champion.subject() + " " + metric + " "
                    + String.format(Locale.ROOT, "%.4f", score) + " on " + suite.get().name());
        }
        return done;
    }

    /** The route's canary suite, when one exists and is a canary suite for this route. */
    Optional<Suite> suiteOf(String route) {
        String name = "canary-" + route;
        if (!suites.exists(name)) {
            return Optional.empty();
        }
        Suite suite = suites.load(List.of(name)).get(0);
        if (suite.kind() != SuiteKind.CANARY || suite.route().filter(r -> !r.equals(route)).isPresent()) {
            throw new IllegalStateException("suite '" + suite.name() + "' is not a canary suite of route '" + route
                    + "' (kind " + suite.kind() + ", route " + suite.route().orElse("none") + ")");
        }
        return Optional.of(suite);
    }

    private double score(VersionRef champion, Suite suite, String route, Instant now) {
        EvalReport report;
        try (NDManager manager = Engines.newManager();
             ModelFolder folder = ModelFolder.load(store.baseModel(champion.adapter().baseModel()), manager)) {
            PeftAdapter.load(store.adapterFolder(champion.version().artifactUri()), folder.model(), "champion");
            Generator generator = new Generator(folder);
            GenerationOptions options = GenerationOptions.greedy(maxNewTokens).withAdapter("champion");
            report = Evaluator.withDefaults().evaluate(suite, prompt -> generator.chat(
                    List.of(new ChatTemplate.Message("user", prompt)), folder.chatTemplate(), options, null).text());
        }
        Estimate estimate = report.metric(metric).orElseThrow(() -> new IllegalStateException("canary suite '"
                + suite.name() + "' reports no metric '" + metric + "' (adapterops.monitoring.canary-metric); it has "
                + report.metrics().stream().map(Estimate::metric).toList()));
        tx.executeWrite(status -> jdbc.prepareStatement("INSERT INTO canary_suite_score (route, adapter_version_id, "
                + "suite, metric, score, cases, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, route);
            ps.setLong(2, champion.version().id());
            ps.setString(3, suite.name());
            ps.setString(4, metric);
            ps.setDouble(5, estimate.value());
            ps.setInt(6, estimate.n());
            ps.setTimestamp(7, Timestamp.from(now));
            return ps.executeUpdate();
        }));
        return estimate.value();
    }

    /** The champion's first and latest canary score since {@code since}; empty until it has one. */
    public Optional<Scores> of(String route, long versionId, Instant since) {
        List<Object[]> rows = tx.executeRead(status -> jdbc.prepareStatement("SELECT score, cases, evaluated_at "
                + "FROM canary_suite_score WHERE route = ? AND adapter_version_id = ? AND metric = ? "
                + "AND evaluated_at >= ? ORDER BY evaluated_at, id", ps -> {
            ps.setString(1, route);
            ps.setLong(2, versionId);
            ps.setString(3, metric);
            ps.setTimestamp(4, Timestamp.from(since));
            List<Object[]> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Object[] {rs.getDouble(1), rs.getInt(2), rs.getTimestamp(3).toInstant()});
                }
            }
            return out;
        }));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] first = rows.get(0);
        Object[] latest = rows.get(rows.size() - 1);
        return Optional.of(new Scores(new Measurement((double) first[0], (int) first[1]),
                new Measurement((double) latest[0], (int) latest[1]), (Instant) first[2], (Instant) latest[2]));
    }
}

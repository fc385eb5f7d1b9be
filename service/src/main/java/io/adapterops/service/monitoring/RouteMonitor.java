package io.adapterops.service.monitoring;

import io.adapterops.monitoring.Assessment;
import io.adapterops.monitoring.Baseline;
import io.adapterops.monitoring.Decision;
import io.adapterops.monitoring.Measurement;
import io.adapterops.monitoring.RetrainingRule;
import io.adapterops.monitoring.Signal;
import io.adapterops.monitoring.WindowSummary;
import io.adapterops.monitoring.drift.DriftDetector;
import io.adapterops.monitoring.drift.DriftReport;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.ChampionStint;
import io.adapterops.service.routing.ChampionStintRepository;
import io.adapterops.service.routing.Route;
import io.adapterops.service.routing.RouteRepository;
import io.adapterops.service.training.TrainingJob;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The retraining rule applied to each route's champion: its recent window (the request log and
 * feedback) against its baseline (the window right after it became champion), and its live prompts
 * against its training data's profile. A degraded signal outside the cool-down fires one retraining
 * job from the champion's own training configuration; the decision, with the numbers behind it, is
 * audited. Every assessment, fired or not, is kept per route for {@code GET /routes/{name}/health}.
 */
@Singleton
public class RouteMonitor {
    private final RouteRepository routes;
    private final ChampionStintRepository stints;
    private final VersionTransitions versions;
    private final TrafficWindows windows;
    private final CanarySuiteScores canaryScores;
    private final ReferenceProfiles profiles;
    private final DatasetVersionRepository datasetVersions;
    private final RetrainingLauncher launcher;
    private final MonitorMetrics metrics;
    private final MonitorSettings settings;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> tx;
    private final JsonMapper json;

    public RouteMonitor(RouteRepository routes, ChampionStintRepository stints, VersionTransitions versions,
                        TrafficWindows windows, CanarySuiteScores canaryScores, ReferenceProfiles profiles,
                        DatasetVersionRepository datasetVersions, RetrainingLauncher launcher, MonitorMetrics metrics,
                        MonitorSettings settings,
                        JdbcOperations jdbc, TransactionOperations<Connection> tx, JsonMapper json) {
        this.routes = routes;
        this.stints = stints;
        this.versions = versions;
        this.windows = windows;
        this.canaryScores = canaryScores;
        this.profiles = profiles;
        this.datasetVersions = datasetVersions;
        this.launcher = launcher;
        this.metrics = metrics;
        this.settings = settings;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    /** Assesses every route that has a champion; returns what it decided, route by route. */
    public List<Assessment> checkAll(Instant now) {
        List<Assessment> out = new ArrayList<>();
        for (Route route : routes.findByChampionIdIsNotNullOrderById()) {
            out.add(check(route, now));
        }
        return out;
    }

    public Assessment check(Route route, Instant now) {
        VersionRef champion = versions.byId(route.championId());
        String adapter = champion.adapter().name();
        int number = champion.version().number();
        Duration window = settings.getWindow();
        Instant since = stints.findByRouteIdAndEndedAtIsNull(route.id()).map(ChampionStint::startedAt).orElse(now);
        WindowSummary current = windows.summarize(route.name(), adapter, number, now, window);
        Instant baselineEnd = since.plus(window);
        Baseline baseline = now.isBefore(baselineEnd)
                ? new Baseline("none yet: the first window after promotion ends at " + baselineEnd, since, Map.of())
                : Baseline.of("the window after " + adapter + " v" + number + " became champion at " + since,
                        windows.summarize(route.name(), adapter, number, baselineEnd, window));
        Map<Signal, Measurement> measured = new LinkedHashMap<>(current.measurements());
        Optional<CanarySuiteScores.Scores> canary = canaryScores.of(route.name(), champion.version().id(), since);
        if (canary.isPresent() && canary.get().latestAt().isAfter(canary.get().firstAt())) {
            baseline = new Baseline(baseline.source() + "; canary score: the champion's first canary-suite run, at "
                    + canary.get().firstAt(), baseline.since(), baseline.values())
                    .with(Signal.CANARY_SCORE, canary.get().first());
            measured.put(Signal.CANARY_SCORE, canary.get().latest());
        }
        Optional<TrainingJob> source = launcher.sourceOf(champion);
        DriftReport drift = source.flatMap(job -> datasetVersions.findById(job.datasetVersionId()))
                .flatMap(profiles::of)
                .filter(reference -> current.prompts().rows() > 0)
                .map(reference -> watched(new DriftDetector(settings.drift()).detect(reference, current.prompts())))
                .orElse(null);
        Assessment assessment = new RetrainingRule(settings.policy()).assess(route.name(), baseline, measured, drift,
                launcher.lastTrigger(route.name()), now);
        Map<String, Double> gauges = metrics.values(baseline, measured, drift);
        metrics.record(route.name(), gauges);
        store(assessment, baseline, gauges);
        assessment.fired().ifPresent(decision -> launcher.fire(route, champion, decision.signal(), decision.reason(),
                now));
        return assessment;
    }

    private DriftReport watched(DriftReport report) {
        return new DriftReport(report.referenceRows(), report.liveRows(),
                report.features().stream().filter(f -> settings.watches(f.feature())).toList());
    }

    /** The latest assessment of a route, as stored: baseline, decisions and their reasons. */
    public Optional<Map<String, Object>> latest(String route) {
        String body = tx.executeRead(status -> jdbc.prepareStatement(
                "SELECT body FROM route_assessment WHERE route = ?", ps -> {
                    ps.setString(1, route);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }));
        try {
            return body == null ? Optional.empty()
                    : Optional.of(json.readValue(body, io.micronaut.core.type.Argument.mapOf(String.class, Object.class)));
        } catch (IOException e) {
            throw new UncheckedIOException("stored assessment of route " + route + " is unreadable", e);
        }
    }

    private void store(Assessment a, Baseline baseline, Map<String, Double> gauges) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("route", a.route());
        body.put("assessed", true);
        body.put("assessedAt", a.at().toString());
        body.put("baseline", baseline.source());
        body.put("fired", a.fired().map(Decision::signal).orElse(null));
        List<Map<String, Object>> decisions = new ArrayList<>();
        for (Decision d : a.decisions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signal", d.signal());
            m.put("outcome", d.outcome().name());
            m.put("baseline", finite(d.baseline()));
            m.put("current", finite(d.current()));
            m.put("change", finite(d.change()));
            m.put("threshold", finite(d.threshold()));
            m.put("samples", d.sampleSize());
            m.put("reason", d.reason());
            decisions.add(m);
        }
        body.put("decisions", decisions);
        body.put("gauges", gauges);
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tx.executeWrite(status -> {
            jdbc.prepareStatement("DELETE FROM route_assessment WHERE route = ?", ps -> {
                ps.setString(1, a.route());
                return ps.executeUpdate();
            });
            return jdbc.prepareStatement("INSERT INTO route_assessment (route, assessed_at, body) VALUES (?, ?, ?)",
                    ps -> {
                        ps.setString(1, a.route());
                        ps.setTimestamp(2, Timestamp.from(a.at()));
                        ps.setString(3, text);
                        return ps.executeUpdate();
                    });
        });
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

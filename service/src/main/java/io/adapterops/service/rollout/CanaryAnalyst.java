package io.adapterops.service.rollout;

import io.adapterops.monitoring.WindowSummary;
import io.adapterops.monitoring.canary.ArmComparison;
import io.adapterops.monitoring.canary.CanaryAnalysis;
import io.adapterops.monitoring.canary.CanaryVerdict;
import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.monitoring.TrafficWindows;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionState;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.Route;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canary analysis of every rollout in CANARY: the challenger against the champion over the same
 * window, from the canary's start to now (both arms live at once). Pass asks for approval (or, on a
 * route that opts in, promotes); fail rejects the challenger, which takes it off the route so the
 * champion answers everyone again; inconclusive lets the canary run on, up to
 * {@code canary-max-duration}, after which the analysis fails safe. A failed analysis always ends the
 * rollout. Each analysis is stored with both arms' numbers, counted by outcome, and audited: as the
 * lifecycle move it causes, or on its own when it moves nothing.
 */
@Singleton
public class CanaryAnalyst {
    public static final String AUTO_APPROVER = "auto-promote";
    private static final Logger LOG = LoggerFactory.getLogger(CanaryAnalyst.class);

    private final RolloutRepository rollouts;
    private final Rollouts steps;
    private final VersionTransitions transitions;
    private final TrafficWindows windows;
    private final RolloutSettings settings;
    private final CanaryMetrics metrics;
    private final AuditLog audit;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> tx;
    private final JsonMapper json;

    public CanaryAnalyst(RolloutRepository rollouts, Rollouts steps, VersionTransitions transitions,
                         TrafficWindows windows, RolloutSettings settings, CanaryMetrics metrics, AuditLog audit,
                         JdbcOperations jdbc, TransactionOperations<Connection> tx, JsonMapper json) {
        this.rollouts = rollouts;
        this.steps = steps;
        this.transitions = transitions;
        this.windows = windows;
        this.settings = settings;
        this.metrics = metrics;
        this.audit = audit;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    /** Analyses every canary under way; returns what each analysis decided. */
    public List<String> analyseAll(Instant now) {
        List<String> out = new ArrayList<>();
        for (Rollout r : rollouts.findByActiveTrueAndStageOrderById(RolloutStage.CANARY)) {
            try {
                out.add(Rollouts.subject(r) + ": " + analyse(r, now));
            } catch (RuntimeException e) {
                LOG.warn("canary analysis of rollout {} failed; the next run retries", r.id(), e);
                out.add(Rollouts.subject(r) + ": not analysed (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    String analyse(Rollout r, Instant now) {
        VersionRef v = transitions.byId(r.adapterVersionId());
        Route route = transitions.route(r.route());
        if (v.version().state() != VersionState.CANARY || !v.version().id().equals(route.challengerId())) {
            return steps.stop(r, v.subject() + " is no longer the canary of route '" + r.route() + "' (it is "
                    + v.version().state() + "), so its analysis ends", now);
        }
        Duration ran = Duration.between(r.stageSince(), now);
        if (ran.toMillis() < 1000) {
            return "canary just started";
        }
        VersionRef champion = transitions.byId(route.championId());
        WindowSummary base = windows.summarize(r.route(), champion.adapter().name(), champion.version().number(), now,
                ran);
        WindowSummary challenger = windows.summarize(r.route(), v.adapter().name(), v.version().number(), now, ran);
        CanaryVerdict verdict = new CanaryAnalysis(settings.canaryPolicy(), settings.canarySignalList())
                .analyse(r.route(), base.measurements(), challenger.measurements(), ran,
                        settings.getCanaryMaxDuration());
        String reason = "canary analysis of " + v.subject() + " (challenger, " + route.challengerPercent()
                + "%) against " + champion.subject() + " on route '" + r.route() + "' from " + r.stageSince()
                + " to " + now + ": " + verdict.reason();
        String adapter = v.adapter().name();
        int number = v.version().number();
        tx.executeWrite(status -> {
            record(r, verdict, reason, now);
            switch (verdict.outcome()) {
                case PASS -> {
                    transitions.requestApproval(adapter, number, null, reason, Rollouts.ACTOR);
                    if (settings.autoPromotes(r.route())) {
                        transitions.approve(adapter, number, "route '" + r.route() + "' promotes automatically: "
                                + reason, AUTO_APPROVER);
                        rollouts.update(r.at(RolloutStage.PROMOTED, reason, now));
                    } else {
                        rollouts.update(r.at(RolloutStage.PENDING_APPROVAL, reason, now));
                    }
                }
                case FAIL -> {
                    transitions.reject(adapter, number, reason, Rollouts.ACTOR);
                    rollouts.update(r.at(RolloutStage.STOPPED, reason, now));
                }
                case INCONCLUSIVE -> {
                    rollouts.update(r.waiting(reason, now));
                    audit.record(Rollouts.ACTOR, "rollout.canary-inconclusive", v.subject(), VersionState.CANARY.name(),
                            VersionState.CANARY.name(), reason);
                }
            }
            return null;
        });
        metrics.analysed(r.route(), verdict.outcome());
        return verdict.outcome().id() + ": " + reason;
    }

    private void record(Rollout r, CanaryVerdict verdict, String reason, Instant now) {
        List<Map<String, Object>> signals = new ArrayList<>();
        for (ArmComparison c : verdict.comparisons()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signal", c.signal().name());
            m.put("verdict", c.verdict().name());
            m.put("champion", finite(c.champion()));
            m.put("championSamples", c.championSamples());
            m.put("challenger", finite(c.challenger()));
            m.put("challengerSamples", c.challengerSamples());
            m.put("worsening", finite(c.worsening()));
            m.put("tolerance", c.tolerance());
            signals.add(m);
        }
        String body;
        try {
            body = json.writeValueAsString(Map.of("outcome", verdict.outcome().id(), "signals", signals));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jdbc.prepareStatement("INSERT INTO canary_analysis (rollout_id, route, outcome, window_start, window_end, "
                + "reason, body, analysed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            ps.setLong(1, r.id());
            ps.setString(2, r.route());
            ps.setString(3, verdict.outcome().id());
            ps.setTimestamp(4, Timestamp.from(r.stageSince()));
            ps.setTimestamp(5, Timestamp.from(now));
            ps.setString(6, reason.length() <= 4000 ? reason : reason.substring(0, 4000));
            ps.setString(7, body);
            ps.setTimestamp(8, Timestamp.from(now));
            return ps.executeUpdate();
        });
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

package io.adapterops.service.evaluation;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.adapterops.evaluator.gate.EvalSummary;
import io.adapterops.evaluator.gate.GateDecision;
import io.adapterops.evaluator.gate.PromotionGate;
import io.adapterops.evaluator.report.Comparison;
import io.adapterops.evaluator.report.EvalReport;
import io.adapterops.evaluator.report.Evaluator;
import io.adapterops.evaluator.report.Responder;
import io.adapterops.evaluator.suite.Suite;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.jobs.BackgroundWorker;
import io.adapterops.service.jobs.Replica;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.registry.Action;
import io.adapterops.service.registry.Lifecycle;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionState;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.routing.Route;
import io.adapterops.service.tracing.Tracing;
import io.adapterops.service.web.ApiException;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs evaluation suites against an adapter version in the background: the version (and, when a
 * route with a champion is named, the champion on the same examples) answers every case, the
 * evaluator scores it, the promotion gate decides, and the decision moves the version to EVALUATED
 * or REJECTED. The full report is a JSON file; a run that fails leaves the version untouched. Its
 * {@code evaluation} span (one {@code evaluation.suite} child per suite and arm) continues the trace
 * of the request that started it.
 */
@Singleton
public class Evaluations {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluations.class);
    private static final AttributeKey<Long> RUN = AttributeKey.longKey("adapterops.evaluation_run.id");
    private static final AttributeKey<String> ADAPTER = AttributeKey.stringKey("adapterops.adapter");
    private static final AttributeKey<Long> VERSION = AttributeKey.longKey("adapterops.version");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("adapterops.route");
    private static final AttributeKey<String> SUITE = AttributeKey.stringKey("adapterops.suite");
    private static final AttributeKey<String> ARM = AttributeKey.stringKey("adapterops.arm");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private final VersionTransitions transitions;
    private final EvaluationRunRepository runs;
    private final ModelStore store;
    private final SuiteCatalog catalog;
    private final EvaluationScores scores;
    private final GateSettings gate;
    private final AuditLog audit;
    private final TransactionOperations<Connection> tx;
    private final Replica replica;
    private final Set<Long> local = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService heartbeat;
    private final int maxNewTokens;
    private final ExecutorService worker = BackgroundWorker.named("evaluations");
    private final Tracing tracing;

    public Evaluations(VersionTransitions transitions, EvaluationRunRepository runs, ModelStore store,
                       SuiteCatalog catalog, EvaluationScores scores, GateSettings gate, AuditLog audit,
                       TransactionOperations<Connection> tx, Replica replica,
                       @Value("${adapterops.evaluation.max-new-tokens:48}") int maxNewTokens, Tracing tracing) {
        this.tracing = tracing;
        this.transitions = transitions;
        this.runs = runs;
        this.store = store;
        this.catalog = catalog;
        this.scores = scores;
        this.gate = gate;
        this.audit = audit;
        this.tx = tx;
        this.replica = replica;
        this.maxNewTokens = maxNewTokens;
    }

    /** Checks everything that can be checked at once, stores a RUNNING run and queues it. */
    public EvaluationRun start(String adapter, int number, List<String> suiteNames, @Nullable String routeName,
                               String actor) {
        VersionRef ref = transitions.find(adapter, number);
        Lifecycle.check(ref.subject(), ref.version().state(), Action.EVALUATE, VersionState.EVALUATED);
        if (runs.existsByAdapterVersionIdAndStatus(ref.version().id(), EvaluationRun.Status.RUNNING)) {
            throw ApiException.conflict("evaluation-running", "an evaluation of " + ref.subject()
                    + " is already running", Map.of());
        }
        List<Suite> suites = catalog.load(suiteNames);
        Path base = store.baseModel(ref.adapter().baseModel());
        Path candidate = store.adapterFolder(ref.version().artifactUri());
        Optional<Path> champion = Optional.empty();
        if (routeName != null) {
            Route route = transitions.route(routeName);
            if (!route.baseModel().equals(ref.adapter().baseModel())) {
                throw ApiException.badField("route", "route '" + routeName + "' serves base model '"
                        + route.baseModel() + "', not '" + ref.adapter().baseModel() + "'");
            }
            if (route.championId() != null) {
                champion = Optional.of(store.adapterFolder(transitions.byId(route.championId()).version().artifactUri()));
            }
        }
        EvaluationRun run = tx.executeWrite(status -> {
            EvaluationRun saved = runs.save(new EvaluationRun(null, ref.version().id(), EvaluationRun.Status.RUNNING,
                    String.join(",", suiteNames), routeName, null, null, null, null, null, actor, Instant.now(), null,
                    null));
            runs.own(saved.id(), replica.id(), Instant.now().plus(replica.lease()));
            audit.record(actor, "evaluation.started", subject(saved), null, EvaluationRun.Status.RUNNING.name(),
                    ref.subject() + " on " + String.join(", ", suiteNames)
                            + (routeName == null ? "" : ", against the champion of route " + routeName));
            return saved;
        });
        Optional<Path> championDir = champion;
        local.add(run.id());
        Attributes attributes = Attributes.builder().put(RUN, run.id()).put(ADAPTER, ref.adapter().name())
                .put(VERSION, ref.version().number()).put(ROUTE, routeName == null ? "" : routeName).build();
        worker.submit(Tracing.inCurrentTrace(() -> {
            try {
                tracing.inSpan("evaluation", attributes,
                        () -> execute(run, ref, suites, base, candidate, championDir, actor));
            } finally {
                local.remove(run.id());
            }
        }));
        return run;
    }

    private void execute(EvaluationRun run, VersionRef ref, List<Suite> suites, Path base, Path candidate,
                         Optional<Path> champion, String actor) {
        Path report = store.dataDir().resolve("reports").resolve(ref.adapter().name())
                .resolve("v" + ref.version().number()).resolve("evaluation-" + run.id() + ".json");
        try (NDManager manager = Engines.newManager(); ModelFolder folder = ModelFolder.load(base, manager)) {
            PeftAdapter.load(candidate, folder.model(), "candidate");
            Generator generator = new Generator(folder);
            Evaluator evaluator = Evaluator.withDefaults();
            List<EvalReport> reports = new ArrayList<>();
            for (Suite suite : suites) {
                reports.add(tracing.inSpan("evaluation.suite", Attributes.of(SUITE, suite.name(), ARM, "candidate"),
                        () -> evaluator.evaluate(suite, responder(generator, folder.chatTemplate(), "candidate"))));
            }
            EvalSummary summary = EvalReport.summaryOf(reports);
            Optional<EvalSummary> championSummary = Optional.empty();
            List<Comparison> comparisons = new ArrayList<>();
            if (champion.isPresent()) {
                PeftAdapter.load(champion.get(), folder.model(), "champion");
                List<EvalReport> championReports = new ArrayList<>();
                for (Suite suite : suites) {
                    EvalReport c = tracing.inSpan("evaluation.suite",
                            Attributes.of(SUITE, suite.name(), ARM, "champion"),
                            () -> evaluator.evaluate(suite, responder(generator, folder.chatTemplate(), "champion")));
                    championReports.add(c);
                    comparisons.add(evaluator.compare(c, reports.get(championReports.size() - 1)));
                }
                championSummary = Optional.of(EvalReport.summaryOf(championReports));
            }
            GateDecision decision = new PromotionGate(gate.toConfig()).decide(summary, championSummary);
            Map<String, Object> full = new LinkedHashMap<>();
            full.put("adapter", ref.adapter().name());
            full.put("version", ref.version().number());
            full.put("reports", reports);
            full.put("comparisons", comparisons);
            full.put("gate", decision);
            Files.createDirectories(report.getParent());
            JSON.writeValue(report.toFile(), full);

            String reason = decision.passed() ? "gate passed" : "gate failed: " + decision.failures().stream()
                    .map(r -> r.rule() + ": " + r.reason()).toList();
            EvaluationRun succeeded = run.succeeded(decision.passed(), JSON.writeValueAsString(bySuite(reports)),
                    JSON.writeValueAsString(decision), report.toString());
            // The version's move and the run's result commit together: neither is ever seen without the other.
            tx.executeWrite(status -> {
                transitions.evaluate(ref.adapter().name(), ref.version().number(), decision.passed(),
                        summary.metrics(), reason, actor);
                runs.update(succeeded);
                audit.record(actor, "evaluation.finished", subject(run), EvaluationRun.Status.RUNNING.name(),
                        EvaluationRun.Status.SUCCEEDED.name(), ref.subject() + ": " + reason);
                return null;
            });
            scores.export(ref.adapter().name(), ref.version().number(), reports);
        } catch (Exception e) {
            LOG.warn("evaluation {} of {} failed", run.id(), ref.subject(), e);
            try {
                Files.deleteIfExists(report);
            } catch (IOException ignored) {
                // the run is marked failed below; a stray file is never read as a report
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            Tracing.failed(why);
            fail(run.id(), ref, why.length() > 3900 ? why.substring(0, 3900) : why, actor);
        }
    }

    /** Marks the run FAILED from its current row (the failure may have been a lost optimistic lock on it). */
    private void fail(long runId, VersionRef ref, String why, String actor) {
        try {
            tx.executeWrite(status -> {
                runs.findById(runId).filter(r -> r.status() == EvaluationRun.Status.RUNNING).ifPresent(r -> {
                    runs.update(r.failed(why));
                    audit.record(actor, "evaluation.failed", "evaluation-run:" + runId,
                            EvaluationRun.Status.RUNNING.name(), EvaluationRun.Status.FAILED.name(),
                            ref.subject() + " left " + ref.version().state() + ": " + why);
                });
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("evaluation run {} could not be marked failed; the next start fails it", runId, e);
        }
    }

    private static String subject(EvaluationRun run) {
        return "evaluation-run:" + run.id();
    }

    private Responder responder(Generator generator, ChatTemplate template, String adapter) {
        GenerationOptions options = GenerationOptions.greedy(maxNewTokens).withAdapter(adapter);
        return prompt -> generator.chat(List.of(new ChatTemplate.Message("user", prompt)), template, options, null)
                .text();
    }

    static Map<String, Map<String, Double>> bySuite(List<EvalReport> reports) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (EvalReport r : reports) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            r.metrics().forEach(e -> metrics.put(e.metric(), e.value()));
            out.put(r.suite(), metrics);
        }
        return out;
    }

    /** Re-exports stored scores and fails runs that a stop interrupted, so none stays RUNNING forever. */
    @EventListener
    void onStartup(StartupEvent event) {
        failOrphans(replica.id());
        heartbeat = replica.heartbeat("evaluation-leases", this::beat);
        for (EvaluationRun run : runs.findByStatus(EvaluationRun.Status.SUCCEEDED)) {
            try {
                VersionRef ref = transitions.byId(run.adapterVersionId());
                scores.exportStored(ref.adapter().name(), ref.version().number(), JSON.readValue(run.summary(),
                        JSON.getTypeFactory().constructMapType(Map.class, JSON.getTypeFactory().constructType(String.class),
                                JSON.getTypeFactory().constructMapType(Map.class, String.class, Double.class))));
            } catch (IOException e) {
                LOG.warn("stored summary of evaluation run {} is unreadable", run.id(), e);
            }
        }
    }

    /** Renews this replica's leases and fails evaluations whose replica went away without finishing them. */
    private void beat() {
        try {
            runs.renew(replica.id(), Instant.now().plus(replica.lease()));
            failOrphans(null);
        } catch (RuntimeException e) {
            LOG.warn("evaluation heartbeat failed; retrying: {}", e.toString());
        }
    }

    /**
     * Fails RUNNING evaluations that nobody runs: abandoned ones (their replica's lease ran out) and,
     * when {@code restarted} names this replica just started, its own from before the restart. An
     * evaluation does not resume; the user starts it again.
     */
    private void failOrphans(@Nullable String restarted) {
        for (EvaluationRun run : runs.orphaned(restarted == null ? "" : restarted, Instant.now())) {
            if (!local.contains(run.id())) {
                fail(run.id(), transitions.byId(run.adapterVersionId()), "interrupted: the replica running it ("
                        + (restarted == null ? "lease expired" : "this one, restarted") + ") stopped; start the "
                        + "evaluation again", "system");
            }
        }
    }

    @PreDestroy
    void stop() {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        worker.shutdownNow();
    }
}

package io.adapterops.service.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.registry.RegistryRequests;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.registry.VersionTransitions;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Background evaluations of a version: start one, follow it, read its report. */
@Controller("/api/v1/adapters/{name}/versions/{version}")
@ExecuteOn(TaskExecutors.BLOCKING)
public class EvaluationController {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Evaluations evaluations;
    private final EvaluationRunRepository runs;
    private final VersionTransitions transitions;

    public EvaluationController(Evaluations evaluations, EvaluationRunRepository runs,
                                VersionTransitions transitions) {
        this.evaluations = evaluations;
        this.runs = runs;
        this.transitions = transitions;
    }

    @Serdeable
    public record StartEvaluation(@Nullable @Size(min = 1, max = 10) List<@Pattern(regexp = "[A-Za-z0-9._-]+") String> suites,
                                  @Nullable @Pattern(regexp = RegistryRequests.NAME) String route) {
    }

    @Serdeable
    public record RunView(long id, String status, List<String> suites, @Nullable String route,
                          @Nullable Boolean gatePassed, @Nullable Object summary, @Nullable Object gate,
                          @Nullable String error, String createdBy, Instant createdAt, @Nullable Instant finishedAt) {
        static RunView of(EvaluationRun r) {
            return new RunView(r.id(), r.status().name(), Arrays.asList(r.suites().split(",")), r.route(),
                    r.gatePassed(), parse(r.summary()), parse(r.gate()), r.error(), r.createdBy(), r.createdAt(),
                    r.finishedAt());
        }
    }

    /** Starts the suites (default: the red-team suite) as a background job; 202 with the run to follow. */
    @Post("/evaluations")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<RunView> start(String name, int version, @Nullable @Valid @Body StartEvaluation request,
                                       Authentication user) {
        List<String> suites = request == null || request.suites() == null ? List.of("red-team") : request.suites();
        String route = request == null ? null : request.route();
        return HttpResponse.accepted().body(RunView.of(evaluations.start(name, version, suites, route,
                user.getName())));
    }

    @Get("/evaluation-runs")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public List<RunView> list(String name, int version) {
        VersionRef ref = transitions.find(name, version);
        return runs.findByAdapterVersionIdOrderById(ref.version().id()).stream().map(RunView::of).toList();
    }

    @Get("/evaluation-runs/{id}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public RunView get(String name, int version, long id) {
        return RunView.of(find(name, version, id));
    }

    /** The full report: every metric with its 95% CI, every example, the comparison and the gate. */
    @Get("/evaluation-runs/{id}/report")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Map<String, Object> report(String name, int version, long id) throws IOException {
        EvaluationRun run = find(name, version, id);
        if (run.reportPath() == null) {
            throw ApiException.conflict("no-report", "evaluation run " + id + " is " + run.status()
                    + " and has no report", Map.of("currentState", run.status().name()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> report = JSON.readValue(Files.readString(Path.of(run.reportPath())), Map.class);
        return report;
    }

    private EvaluationRun find(String name, int version, long id) {
        VersionRef ref = transitions.find(name, version);
        return runs.findById(id).filter(r -> r.adapterVersionId() == ref.version().id())
                .orElseThrow(() -> ApiException.notFound("evaluation run", ref.subject() + "/" + id));
    }

    private static Object parse(@Nullable String json) {
        try {
            return json == null ? null : JSON.readValue(json, Object.class);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}

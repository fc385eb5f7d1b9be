package io.adapterops.service.training;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.datasets.Dataset;
import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.registry.RegistryRequests;
import io.adapterops.service.security.Roles;
import io.adapterops.service.training.TrainingJob.JobStatus;
import io.adapterops.service.training.TrainingJob.Objective;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Sort;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Training jobs: create, list, read, cancel. Jobs wait in QUEUED until a trainer runs them. */
@Controller("/api/v1/training-jobs")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TrainingJobController {
    private final TrainingJobRepository jobs;
    private final DatasetRepository datasets;
    private final DatasetVersionRepository datasetVersions;
    private final AuditLog audit;
    private final JsonMapper json;

    public TrainingJobController(TrainingJobRepository jobs, DatasetRepository datasets,
                                 DatasetVersionRepository datasetVersions, AuditLog audit, JsonMapper json) {
        this.jobs = jobs;
        this.datasets = datasets;
        this.datasetVersions = datasetVersions;
        this.audit = audit;
        this.json = json;
    }

    @Serdeable
    public record CreateJob(@NotBlank @Pattern(regexp = RegistryRequests.NAME) String adapter,
                            @NotBlank @Size(max = 300) String baseModel,
                            @NotBlank String dataset,
                            @Nullable Long datasetVersionId,
                            @NotNull Objective objective,
                            @Nullable @Size(max = 100) Map<String, Object> hyperparameters) {
    }

    @Serdeable
    public record JobView(long id, String adapter, String baseModel, String dataset, @Nullable Long datasetVersionId,
                          String objective, String hyperparameters, String status, @Nullable String error,
                          String createdBy, Instant createdAt, Instant updatedAt) {
    }

    @Post
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    @Transactional
    public HttpResponse<JobView> create(@Valid @Body CreateJob request, Authentication user) {
        Dataset dataset = datasets.findByName(request.dataset())
                .orElseThrow(() -> ApiException.badField("dataset", "dataset '" + request.dataset() + "' does not exist"));
        if (request.datasetVersionId() != null) {
            DatasetVersion v = datasetVersions.findById(request.datasetVersionId()).orElse(null);
            if (v == null || v.datasetId() != dataset.id()) {
                throw ApiException.badField("datasetVersionId", "dataset '" + dataset.name() + "' has no version "
                        + request.datasetVersionId());
            }
        }
        Instant now = Instant.now();
        TrainingJob job = jobs.save(new TrainingJob(null, request.adapter(), request.baseModel(), dataset.id(),
                request.datasetVersionId(), request.objective(), hyperparameters(request.hyperparameters()),
                JobStatus.QUEUED, null, user.getName(), now, now, null));
        audit.record(user.getName(), "training-job.created", "training-job:" + job.id(), null, JobStatus.QUEUED.name(),
                request.objective() + " " + request.adapter() + " on " + dataset.name());
        return HttpResponse.created(view(job));
    }

    @Get
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<JobView> list(@QueryValue(defaultValue = "0") int page,
                                  @QueryValue(defaultValue = "20") int size) {
        return PageView.of(jobs.findAll(Paging.of(page, size, Sort.of(Sort.Order.desc("id")))), this::view);
    }

    @Get("/{id}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public JobView get(long id) {
        return view(find(id));
    }

    @Post("/{id}/cancel")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    @Transactional
    public JobView cancel(long id, Authentication user) {
        TrainingJob job = find(id);
        if (job.status().finished()) {
            throw ApiException.conflict("job-finished", "training job " + id + " is already " + job.status(),
                    Map.of("currentState", job.status().name()));
        }
        TrainingJob cancelled = jobs.update(job.withStatus(JobStatus.CANCELLED, "cancelled by " + user.getName()));
        audit.record(user.getName(), "training-job.cancelled", "training-job:" + id, job.status().name(),
                JobStatus.CANCELLED.name(), null);
        return view(cancelled);
    }

    private TrainingJob find(long id) {
        return jobs.findById(id).orElseThrow(() -> ApiException.notFound("training job", String.valueOf(id)));
    }

    private JobView view(TrainingJob j) {
        String dataset = datasets.findById(j.datasetId()).map(Dataset::name).orElse("?");
        return new JobView(j.id(), j.adapterName(), j.baseModel(), dataset, j.datasetVersionId(), j.objective().name(),
                j.hyperparameters(), j.status().name(), j.error(), j.createdBy(), j.createdAt(), j.updatedAt());
    }

    private String hyperparameters(@Nullable Map<String, Object> values) {
        try {
            return json.writeValueAsString(values == null ? Map.of() : new TreeMap<>(values));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

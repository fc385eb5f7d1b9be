package io.adapterops.service.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.datasets.Dataset;
import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.registry.RegistryRequests;
import io.adapterops.service.security.Roles;
import io.adapterops.service.training.TrainingJob.Objective;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Sort;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Training jobs: create (queued and run), list, read with live progress, stream progress, cancel. */
@Controller("/api/v1/training-jobs")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TrainingJobController {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TrainingJobs trainingJobs;
    private final TrainingJobRepository jobs;
    private final TrainingRunner runner;
    private final DatasetRepository datasets;
    private static final Duration POLL = Duration.ofMillis(200);

    public TrainingJobController(TrainingJobs trainingJobs, TrainingJobRepository jobs, TrainingRunner runner,
                                 DatasetRepository datasets) {
        this.trainingJobs = trainingJobs;
        this.jobs = jobs;
        this.runner = runner;
        this.datasets = datasets;
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
                          String objective, Object hyperparameters, String status, @Nullable String error,
                          @Nullable Object progress, @Nullable Integer adapterVersion, String createdBy,
                          Instant createdAt, Instant updatedAt) {
    }

    @Post
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<JobView> create(@Valid @Body CreateJob request, Authentication user) {
        TrainingJob job = trainingJobs.create(request.adapter(), request.baseModel(), request.dataset(),
                request.datasetVersionId(), request.objective(), request.hyperparameters(), user.getName());
        runner.submit(job.id());
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
        return view(trainingJobs.find(id));
    }

    /**
     * Server-sent events read from the job row, so any replica serves them: a {@code progress} event
     * whenever the stored step moves (the row is read every {@link #POLL}), then one {@code end} event.
     */
    @Get(value = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM)
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Publisher<Event<Object>> events(long id) {
        trainingJobs.find(id);
        AtomicReference<String> shown = new AtomicReference<>();
        return Flux.interval(Duration.ZERO, POLL, Schedulers.boundedElastic())
                .map(tick -> trainingJobs.find(id))
                .takeUntil(job -> job.status().finished())
                .concatMap(job -> {
                    List<Event<Object>> events = new ArrayList<>();
                    String progress = job.progress();
                    if (progress != null && !progress.equals(shown.getAndSet(progress))) {
                        events.add(Event.of(parse(progress)).name("progress"));
                    }
                    if (job.status().finished()) {
                        events.add(end(job));
                    }
                    return Flux.fromIterable(events);
                });
    }

    /** The last event: the final status, and why a job failed or which version it registered. */
    private static Event<Object> end(TrainingJob job) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", job.status().name());
        if (job.error() != null) {
            body.put("error", job.error());
        }
        if (job.adapterVersion() != null) {
            body.put("adapterVersion", job.adapterVersion());
        }
        return Event.of((Object) body).name("end");
    }

    @Post("/{id}/cancel")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public JobView cancel(long id, Authentication user) {
        return view(trainingJobs.cancel(id, user.getName()));
    }

    private JobView view(TrainingJob j) {
        String dataset = datasets.findById(j.datasetId()).map(Dataset::name).orElse("?");
        Object progress = parse(j.progress());
        return new JobView(j.id(), j.adapterName(), j.baseModel(), dataset, j.datasetVersionId(), j.objective().name(),
                parse(j.hyperparameters()), j.status().name(), j.error(), progress, j.adapterVersion(), j.createdBy(),
                j.createdAt(), j.updatedAt());
    }

    private static Object parse(@Nullable String json) {
        try {
            return json == null ? null : JSON.readValue(json, Object.class);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}

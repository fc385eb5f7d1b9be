package io.adapterops.service.registry;

import io.adapterops.service.registry.RegistryRequests.CreateAdapter;
import io.adapterops.service.registry.RegistryRequests.RegisterVersion;
import io.adapterops.service.registry.RegistryViews.AdapterView;
import io.adapterops.service.registry.RegistryViews.EvaluationView;
import io.adapterops.service.registry.RegistryViews.VersionView;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.data.model.Sort;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import jakarta.validation.Valid;

import java.util.List;
import java.util.Map;

/** Adapters and their versions: register, list, read. Moves live in {@link VersionTransitionController}. */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdapterController {
    private final AdapterRegistry registry;
    private final AdapterRepository adapters;
    private final AdapterVersionRepository versions;
    private final EvaluationRepository evaluations;
    private final VersionTransitions transitions;

    public AdapterController(AdapterRegistry registry, AdapterRepository adapters, AdapterVersionRepository versions,
                             EvaluationRepository evaluations, VersionTransitions transitions) {
        this.registry = registry;
        this.adapters = adapters;
        this.versions = versions;
        this.evaluations = evaluations;
        this.transitions = transitions;
    }

    @Post("/adapters")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<AdapterView> create(@Valid @Body CreateAdapter request, Authentication user) {
        return HttpResponse.created(AdapterView.of(registry.create(request.name(), request.baseModel(),
                request.description(), user.getName())));
    }

    @Get("/adapters")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<AdapterView> list(@QueryValue(defaultValue = "0") int page,
                                      @QueryValue(defaultValue = "20") int size) {
        return PageView.of(adapters.findAll(Paging.of(page, size, Sort.of(Sort.Order.asc("name")))), AdapterView::of);
    }

    @Get("/adapters/{name}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public AdapterView get(String name) {
        return AdapterView.of(adapters.findByName(name).orElseThrow(() -> ApiException.notFound("adapter", name)));
    }

    @Post("/adapters/{name}/versions")
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<VersionView> register(String name, @Valid @Body RegisterVersion request, Authentication user) {
        return HttpResponse.created(VersionView.of(registry.register(name, request.artifactUri(),
                request.trainingJobId(), request.description(), user.getName())));
    }

    @Get("/adapters/{name}/versions")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<VersionView> versions(String name, @QueryValue(defaultValue = "0") int page,
                                          @QueryValue(defaultValue = "20") int size) {
        Adapter adapter = adapters.findByName(name).orElseThrow(() -> ApiException.notFound("adapter", name));
        return PageView.of(versions.findByAdapterId(adapter.id(), Paging.of(page, size,
                Sort.of(Sort.Order.asc("number")))), v -> VersionView.of(new VersionRef(adapter, v)));
    }

    @Get("/adapters/{name}/versions/{version}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public VersionView version(String name, int version) {
        return VersionView.of(transitions.find(name, version));
    }

    @Get("/adapters/{name}/versions/{version}/evaluations")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public List<EvaluationView> evaluations(String name, int version) {
        VersionRef ref = transitions.find(name, version);
        return evaluations.findByAdapterVersionIdOrderById(ref.version().id()).stream()
                .map(EvaluationView::of).toList();
    }

    @Get("/lifecycle")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Map<String, Map<String, List<String>>> lifecycle() {
        return Lifecycle.table();
    }
}

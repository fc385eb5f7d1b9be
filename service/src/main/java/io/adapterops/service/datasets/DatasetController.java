package io.adapterops.service.datasets;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.registry.RegistryRequests;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
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
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;

/** Datasets: metadata, and their immutable versions (uploads are in {@link DatasetUploadController}). */
@Controller("/api/v1/datasets")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DatasetController {
    private final DatasetRepository datasets;
    private final DatasetVersionRepository versions;
    private final AuditLog audit;
    private final DatasetUploads uploads;
    private final JsonMapper json;

    public DatasetController(DatasetRepository datasets, DatasetVersionRepository versions, AuditLog audit,
                             DatasetUploads uploads, JsonMapper json) {
        this.datasets = datasets;
        this.versions = versions;
        this.audit = audit;
        this.uploads = uploads;
        this.json = json;
    }

    @Serdeable
    public record CreateDataset(@NotBlank @Pattern(regexp = RegistryRequests.NAME) String name,
                                @Nullable @Size(max = 2000) String description,
                                @NotNull DatasetFormat format) {
    }

    @Serdeable
    public record DatasetView(String name, @Nullable String description, String format, String createdBy,
                              Instant createdAt) {
        static DatasetView of(Dataset d) {
            return new DatasetView(d.name(), d.description(), d.format().name(), d.createdBy(), d.createdAt());
        }
    }

    @Serdeable
    public record DatasetVersionView(long id, String contentHash, long rows, String createdBy, Instant createdAt) {
        static DatasetVersionView of(DatasetVersion v) {
            return new DatasetVersionView(v.id(), v.contentHash(), v.rowCount(), v.createdBy(), v.createdAt());
        }
    }

    @Get("/{name}/versions/{id}/report")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Map<String, Object> report(String name, long id) throws IOException {
        Dataset d = datasets.findByName(name).orElseThrow(() -> ApiException.notFound("dataset", name));
        DatasetVersion v = versions.findById(id).filter(x -> x.datasetId() == d.id())
                .orElseThrow(() -> ApiException.notFound("dataset version", name + "/" + id));
        return parse(Files.readString(uploads.reportPath(v)));
    }

    private Map<String, Object> parse(String text) throws IOException {
        return json.readValue(text, Argument.mapOf(String.class, Object.class));
    }

    @Post
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    @Transactional
    public HttpResponse<DatasetView> create(@Valid @Body CreateDataset request, Authentication user) {
        if (datasets.existsByName(request.name())) {
            throw ApiException.conflict("already-exists", "dataset '" + request.name() + "' already exists",
                    Map.of("field", "name"));
        }
        Dataset saved = datasets.save(new Dataset(null, request.name(), request.description(), request.format(),
                user.getName(), Instant.now()));
        audit.record(user.getName(), "dataset.created", "dataset:" + saved.name(), null, null,
                "format " + saved.format());
        return HttpResponse.created(DatasetView.of(saved));
    }

    @Get
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<DatasetView> list(@QueryValue(defaultValue = "0") int page,
                                      @QueryValue(defaultValue = "20") int size) {
        return PageView.of(datasets.findAll(Paging.of(page, size, Sort.of(Sort.Order.asc("name")))), DatasetView::of);
    }

    @Get("/{name}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public DatasetView get(String name) {
        return DatasetView.of(datasets.findByName(name).orElseThrow(() -> ApiException.notFound("dataset", name)));
    }

    @Get("/{name}/versions")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<DatasetVersionView> versions(String name, @QueryValue(defaultValue = "0") int page,
                                                 @QueryValue(defaultValue = "20") int size) {
        Dataset d = datasets.findByName(name).orElseThrow(() -> ApiException.notFound("dataset", name));
        return PageView.of(versions.findByDatasetId(d.id(), Paging.of(page, size, Sort.of(Sort.Order.asc("id")))),
                DatasetVersionView::of);
    }
}

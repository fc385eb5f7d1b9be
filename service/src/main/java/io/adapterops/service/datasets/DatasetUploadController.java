package io.adapterops.service.datasets;

import io.adapterops.service.datasets.DatasetController.DatasetVersionView;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.data.model.Sort;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Part;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.multipart.CompletedFileUpload;
import io.micronaut.http.multipart.CompletedPart;
import io.micronaut.http.server.multipart.MultipartBody;
import io.micronaut.http.sse.Event;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Uploads of rows into a dataset, as jobs (optionally read by a LLaMA-Factory dataset_info.json
 * entry: query {@code datasetInfo} and {@code entry}, or form parts {@code dataset_info} and
 * {@code entry}; or a whole dataset_info.json imported, one upload per entry): {@code POST .../versions}
 * answers 202 once the file is on disk, with the upload's location; {@code GET} on it shows progress and, at the end, the version or
 * the reason it failed (bad rows by line and field); {@code .../events} streams the same as
 * server-sent events.
 */
@Controller("/api/v1/datasets")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DatasetUploadController {
    private static final Duration POLL = Duration.ofMillis(250);

    private final DatasetRepository datasets;
    private final DatasetVersionRepository versions;
    private final DatasetUploadRepository uploadRows;
    private final DatasetUploads uploads;
    private final DatasetImports imports;
    private final JsonMapper json;

    public DatasetUploadController(DatasetRepository datasets, DatasetVersionRepository versions,
                                   DatasetUploadRepository uploadRows, DatasetUploads uploads, DatasetImports imports,
                                   JsonMapper json) {
        this.datasets = datasets;
        this.versions = versions;
        this.uploadRows = uploadRows;
        this.uploads = uploads;
        this.imports = imports;
        this.json = json;
    }

    /**
     * Where an upload stands. {@code version}, {@code created}, {@code validation} and
     * {@code cleaning} are set once it SUCCEEDED; {@code error} and {@code problem} (the problem
     * details, with {@code problems} listing bad rows by line and field) once it FAILED.
     */
    @Serdeable
    public record UploadView(long id, String dataset, String status, @Nullable String step, long rowsRead,
                             int percent, long bytes, String location, @Nullable DatasetVersionView version,
                             @Nullable Boolean created, @Nullable Map<String, Object> validation,
                             @Nullable Map<String, Object> cleaning, @Nullable String error,
                             @Nullable Map<String, Object> problem, String createdBy, Instant createdAt,
                             @Nullable Instant finishedAt) {
    }

    /**
     * Uploads rows (JSONL or a JSON array, streamed to disk, limit {@code adapterops.datasets.max-upload-bytes}).
     * Answers 202 with the upload's location once the file is stored; validation and cleaning run in
     * the background into an immutable version named by its content hash.
     */
    @Post(value = "/{name}/versions", consumes = {"application/x-ndjson", "application/jsonl", "application/json",
            "text/plain", "application/octet-stream"})
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<UploadView> upload(String name, @QueryValue(defaultValue = "false") boolean skipInvalid,
                                           @Nullable @QueryValue String datasetInfo, @Nullable @QueryValue String entry,
                                           @Body InputStream body, Authentication user) {
        DatasetUpload upload = uploads.receive(name, body, skipInvalid, datasetInfo, entry, user.getName());
        UploadView view = view(upload, name);
        return HttpResponse.<UploadView>accepted(URI.create(view.location())).body(view);
    }

    /**
     * The same upload as a multipart form: the file in part {@code file}, and optionally LLaMA-Factory's
     * description of it in part {@code dataset_info} (one entry, or a whole dataset_info.json with
     * part {@code entry} naming the entry; by default the entry named like the dataset), e.g.
     * {@code curl -F file=@rows.json -F dataset_info=@dataset_info.json -F entry=my_set}.
     */
    @Post(value = "/{name}/versions", consumes = MediaType.MULTIPART_FORM_DATA)
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<UploadView> uploadForm(String name, @QueryValue(defaultValue = "false") boolean skipInvalid,
                                               @Part("file") CompletedFileUpload file,
                                               @Nullable @Part("dataset_info") CompletedFileUpload datasetInfo,
                                               @Nullable @Part("entry") String entry, Authentication user)
            throws IOException {
        // No discard(): the server releases the parts once the response is written, and releasing
        // them here as well made Netty log an IllegalReferenceCountException for every upload. The
        // description is a file part (-F dataset_info=@dataset_info.json), read as bytes whatever its type.
        String info = datasetInfo == null ? null : new String(datasetInfo.getBytes(), StandardCharsets.UTF_8);
        try (InputStream in = file.getInputStream()) {
            return upload(name, skipInvalid, info, entry, in, user);
        }
    }

    /** The uploads an import started, in the order of the entries in dataset_info.json. */
    @Serdeable
    public record ImportView(List<UploadView> uploads) {
    }

    /**
     * A whole LLaMA-Factory dataset_info.json and the files its entries name, one upload (and version)
     * per entry into the dataset named like the entry: {@code curl -F dataset_info=@data/dataset_info.json
     * -F files=@data/alpaca_en_demo.json -F files=@data/dpo_en_demo.json [-F entries=alpaca_en_demo,dpo_en_demo]
     * …/api/v1/datasets/import}. The whole form is checked before any byte is stored (see {@link DatasetImports}).
     */
    @Post(value = "/import", consumes = MediaType.MULTIPART_FORM_DATA)
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<ImportView> importAll(@Body MultipartBody body, Authentication user) throws IOException {
        // The parts are released by the server once the response is written (see uploadForm).
        List<CompletedPart> parts = Flux.from(body).collectList().block();
        List<DatasetImports.Started> started = imports.start(parts == null ? List.of() : parts, user.getName());
        return HttpResponse.<ImportView>accepted().body(new ImportView(started.stream()
                .map(s -> view(s.upload(), s.dataset())).toList()));
    }

    @Get("/{name}/uploads")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<UploadView> list(String name, @QueryValue(defaultValue = "0") int page,
                                     @QueryValue(defaultValue = "20") int size) {
        Dataset d = dataset(name);
        return PageView.of(uploadRows.findByDatasetId(d.id(), Paging.of(page, size, Sort.of(Sort.Order.desc("id")))),
                u -> view(u, name));
    }

    @Get("/{name}/uploads/{id}")
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public UploadView get(String name, long id) {
        return view(find(name, id), name);
    }

    /**
     * Server-sent events read from the upload's row, so any replica serves them: a {@code progress}
     * event whenever step, rows or percent move, then one {@code end} event with the final view.
     */
    @Get(value = "/{name}/uploads/{id}/events", produces = MediaType.TEXT_EVENT_STREAM)
    @Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public Publisher<Event<Object>> events(String name, long id) {
        find(name, id);
        AtomicReference<String> shown = new AtomicReference<>();
        return Flux.interval(Duration.ZERO, POLL, Schedulers.boundedElastic())
                .map(tick -> find(name, id))
                .takeUntil(u -> u.status().finished())
                .concatMap(u -> {
                    List<Event<Object>> events = new ArrayList<>();
                    String progress = u.status() + "|" + u.step() + "|" + u.rowsRead() + "|" + u.percent();
                    if (!u.status().finished() && !progress.equals(shown.getAndSet(progress))) {
                        events.add(Event.of((Object) Map.of("status", u.status().name(),
                                "step", u.step() == null ? "" : u.step(), "rowsRead", u.rowsRead(),
                                "percent", u.percent())).name("progress"));
                    }
                    if (u.status().finished()) {
                        events.add(Event.of((Object) view(u, name)).name("end"));
                    }
                    return Flux.fromIterable(events);
                });
    }

    private Dataset dataset(String name) {
        return datasets.findByName(name).orElseThrow(() -> ApiException.notFound("dataset", name));
    }

    private DatasetUpload find(String name, long id) {
        Dataset d = dataset(name);
        return uploadRows.findById(id).filter(u -> u.datasetId() == d.id())
                .orElseThrow(() -> ApiException.notFound("dataset upload", name + "/" + id));
    }

    private UploadView view(DatasetUpload u, String name) {
        Map<String, Object> result = u.result() == null ? Map.of() : parse(u.result());
        boolean ok = u.status() == DatasetUpload.Status.SUCCEEDED;
        DatasetVersionView version = u.datasetVersionId() == null ? null
                : versions.findById(u.datasetVersionId()).map(DatasetVersionView::of).orElse(null);
        return new UploadView(u.id(), name, u.status().name(), u.step(), u.rowsRead(), u.percent(), u.bytes(),
                "/api/v1/datasets/" + name + "/uploads/" + u.id(), version, u.createdVersion(),
                ok ? map(result.get("validation")) : null, ok ? map(result.get("cleaning")) : null, u.error(),
                u.status() == DatasetUpload.Status.FAILED ? result : null, u.createdBy(), u.createdAt(),
                u.finishedAt());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private Map<String, Object> parse(String text) {
        try {
            return json.readValue(text, Argument.mapOf(String.class, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.adapterops.service.datasets;

import io.adapterops.service.datasets.DatasetUploadController.UploadView;
import io.adapterops.service.security.Roles;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.multipart.CompletedPart;
import io.micronaut.http.server.multipart.MultipartBody;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.util.List;

/**
 * A whole LLaMA-Factory {@code dataset_info.json} with the files its entries name, uploaded in one
 * form: one upload job, and so one version, per entry, each into the dataset named like the entry.
 */
@Controller("/api/v1/datasets")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DatasetImportController {
    private final DatasetImports imports;
    private final DatasetUploadController uploads;

    public DatasetImportController(DatasetImports imports, DatasetUploadController uploads) {
        this.imports = imports;
        this.uploads = uploads;
    }

    /** The uploads started, in the order of the entries in dataset_info.json. */
    @Serdeable
    public record ImportView(List<UploadView> uploads) {
    }

    /**
     * {@code curl -F dataset_info=@data/dataset_info.json -F files=@data/alpaca_en_demo.json
     * -F files=@data/dpo_en_demo.json [-F entries=alpaca_en_demo,dpo_en_demo] …/api/v1/datasets/import}:
     * every entry (or those listed in {@code entries}) is read from the file part whose file name is the
     * entry's {@code file_name}. Everything is checked before any byte is stored: a missing or unnamed
     * file, an entry whose keys are not honoured, a dataset of another format. Answers 202 with the
     * uploads' locations.
     */
    @Post(value = "/import", consumes = MediaType.MULTIPART_FORM_DATA)
    @Secured({Roles.OPERATOR, Roles.ADMIN})
    public HttpResponse<ImportView> importAll(@Body MultipartBody body, Authentication user) throws IOException {
        // The parts are released by the server once the response is written (see DatasetUploadController).
        List<CompletedPart> parts = Flux.from(body).collectList().block();
        List<DatasetImports.Started> started = imports.start(parts == null ? List.of() : parts, user.getName());
        return HttpResponse.<ImportView>accepted().body(new ImportView(started.stream()
                .map(s -> uploads.view(s.upload(), s.dataset())).toList()));
    }
}

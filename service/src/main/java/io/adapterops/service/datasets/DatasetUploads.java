package io.adapterops.service.datasets;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.jobs.BackgroundWorker;
import io.adapterops.service.jobs.Replica;
import io.adapterops.service.storage.DataDir;
import io.adapterops.service.web.ApiException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.trainer.data.DatasetDescription;
import io.adapterops.trainer.data.DatasetKind;
import io.adapterops.trainer.data.ReadOptions;
import io.adapterops.trainer.data.RowProblem;
import io.adapterops.trainer.data.ValidationReport;
import io.adapterops.trainer.data.cleaning.CleanedFile;
import io.adapterops.trainer.data.cleaning.CleaningConfig;
import io.adapterops.trainer.data.cleaning.FileCleaner;
import io.adapterops.trainer.data.cleaning.FileProgress;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/**
 * Uploads as jobs. {@link #receive} streams the body to a scratch file (bounded) and queues the
 * upload; a background worker validates and cleans it, then in one short transaction records the
 * version (or finds the identical one) and moves the files to their content-addressed names. Any
 * failure ends the upload FAILED with the reason and, for bad rows, the row-level report; its files
 * are deleted, so nothing half-done is kept. The state lives in the database, owned and leased by
 * the replica working on it: after a restart, or when a replica's lease runs out, an upload that was
 * still being received fails (the body went with the connection) and a received one is processed
 * again from its file; scratch files no live upload owns are deleted at start-up.
 */
@Singleton
public class DatasetUploads {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetUploads.class);
    private static final long PROGRESS_EVERY_MS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetRepository datasets;
    private final DatasetVersionRepository versions;
    private final DatasetUploadRepository uploads;
    private final AuditLog audit;
    private final Path root;
    private final UploadScratch scratch;
    private final long maxBytes;
    private final TransactionOperations<Connection> tx;
    private final Replica replica;
    private final JsonMapper json;
    private final Set<Long> local = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = BackgroundWorker.named("dataset-uploads");
    private volatile ScheduledExecutorService heartbeat;
    private volatile boolean stopping;

    public DatasetUploads(DatasetRepository datasets, DatasetVersionRepository versions,
                          DatasetUploadRepository uploads, AuditLog audit, TransactionOperations<Connection> tx,
                          DataDir dataDir, UploadScratch scratch, Replica replica, JsonMapper json,
                          @Value("${adapterops.datasets.max-upload-bytes:209715200}") long maxBytes) {
        this.datasets = datasets;
        this.versions = versions;
        this.uploads = uploads;
        this.audit = audit;
        this.root = dataDir.resolve("datasets");
        this.scratch = scratch;
        this.maxBytes = maxBytes;
        this.tx = tx;
        this.replica = replica;
        this.json = json;
    }

    /**
     * Stores the body and queues the upload. A body over the limit, or one the client stops
     * sending, fails the upload at once (and is thrown); nothing of it is kept.
     */
    public DatasetUpload receive(String name, InputStream body, boolean skipInvalid, @Nullable String datasetInfo,
                                 @Nullable String entry, String actor) {
        Dataset dataset = datasets.findByName(name).orElseThrow(() -> ApiException.notFound("dataset", name));
        String description = datasetInfo == null || datasetInfo.isBlank() ? null
                : describe(datasetInfo, entry == null || entry.isBlank() ? name : entry);
        DatasetUpload upload = uploads.save(new DatasetUpload(null, dataset.id(), DatasetUpload.Status.RECEIVING,
                skipInvalid, description, 0, 0, "receiving", 0, null, null, null, null, replica.id(),
                Instant.now().plus(replica.lease()), actor, Instant.now(), null));
        long id = upload.id();
        long bytes;
        try {
            bytes = copyBounded(body, scratch.body(id));
        } catch (ApiException e) {
            fail(id, e.getMessage(), problem(e), actor);
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = "the upload was cut off after part of the file arrived (" + e + "); upload it again";
            fail(id, why, problem(500, "upload-interrupted", why, Map.of()), actor);
            throw new UncheckedIOException(new IOException(why, e));
        }
        if (uploads.received(id, bytes, replica.id()) == 0) {
            scratch.delete(id);
            throw ApiException.conflict("upload-taken-over", "upload " + id + " was failed by another replica while"
                    + " its body arrived; upload the file again", Map.of("upload", id));
        }
        audit.record(actor, "dataset.upload-received", subject(id), DatasetUpload.Status.RECEIVING.name(),
                DatasetUpload.Status.QUEUED.name(), "dataset " + name + ": " + bytes + " bytes"
                        + (skipInvalid ? ", skipping invalid rows" : "")
                        + (description == null ? "" : ", read by dataset_info entry " + description));
        submit(id, "validating and cleaning");
        return find(id);
    }

    /** The dataset_info entry to read the rows by, checked now so a bad one is refused before any byte is stored. */
    private String describe(String datasetInfo, String entry) {
        if (datasetInfo.length() > 20_000) {
            throw ApiException.badField("dataset_info", "dataset_info is longer than 20000 characters");
        }
        try {
            JsonNode chosen = DatasetDescription.entry(JSON.readTree(datasetInfo), entry);
            DatasetDescription.parse(chosen);
            return JSON.writeValueAsString(chosen);
        } catch (JsonProcessingException e) {
            throw ApiException.badField("dataset_info", "dataset_info is not JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("dataset_info", e.getMessage());
        }
    }

    public DatasetUpload find(long id) {
        return uploads.findById(id).orElseThrow(() -> ApiException.notFound("dataset upload", String.valueOf(id)));
    }

    public Path reportPath(DatasetVersion version) {
        String rows = version.path();
        return Path.of(rows.substring(0, rows.length() - ".jsonl".length()) + ".report.json");
    }

    private void submit(long id, String step) {
        local.add(id);
        worker.submit(() -> {
            try {
                process(id, step);
            } finally {
                local.remove(id);
            }
        });
    }

    private void process(long id, String step) {
        String owner = replica.id();
        DatasetUpload upload = uploads.findById(id).orElse(null);
        if (upload == null || uploads.started(id, step, owner, Instant.now().plus(replica.lease())) == 0) {
            return;
        }
        Dataset dataset = datasets.findById(upload.datasetId()).orElseThrow();
        try {
            Path body = scratch.body(id);
            if (!Files.exists(body)) {
                throw new ApiException(500, "upload-lost", "Upload lost", "the uploaded file is not in this"
                        + " replica's data dir (" + body + "); upload it again", Map.of());
            }
            ReadOptions options = upload.skipInvalid() ? ReadOptions.defaults().skippingInvalid() : ReadOptions.defaults();
            if (upload.description() != null) {
                options = options.withDescription(DatasetDescription.parse(JSON.readTree(upload.description())));
            }
            Path rowsTmp = scratch.rows(id);
            CleanedFile cleaned = new FileCleaner(options, CleaningConfig.defaults())
                    .clean(body, rowsTmp, scratch.dir().resolve(id + ".texts"), progress(id, owner));
            ValidationReport v = cleaned.validation();
            if (!v.accepted()) {
                throw invalid(v);
            }
            checkFormat(dataset, v);
            if (cleaned.rows() == 0) {
                throw ApiException.badField("body", "no row survived cleaning; see the report steps: "
                        + cleaned.report().toJson());
            }
            Path reportTmp = scratch.report(id);
            Files.writeString(reportTmp, cleaned.report().toJson());
            store(upload, dataset, cleaned, rowsTmp, reportTmp);
        } catch (ApiException e) {
            fail(id, e.getMessage(), problem(e), upload.createdBy());
        } catch (Exception e) {
            if (stopping) {
                // Left RUNNING with its body: the next start of this replica (or another, once the
                // lease runs out) processes it again.
                LOG.info("dataset upload {} stopped with the service; it resumes at the next start", id);
                return;
            }
            LOG.warn("dataset upload {} failed", id, e);
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            fail(id, why, problem(500, "upload-failed", why, Map.of()), upload.createdBy());
        }
    }

    /**
     * Files under a hash name only ever hold that hash's content, so a racing upload of the same rows
     * can overwrite them harmlessly, and a transaction that rolls back after the move leaves files
     * no version points to, never a version without its files.
     */
    private void store(DatasetUpload upload, Dataset dataset, CleanedFile cleaned, Path rowsTmp, Path reportTmp)
            throws IOException {
        long id = upload.id();
        String hash = cleaned.versionId();
        ValidationReport v = cleaned.validation();
        Path dir = Files.createDirectories(root.resolve(dataset.name()));
        tx.executeWrite(status -> {
            var existing = versions.findByDatasetIdAndContentHash(dataset.id(), hash);
            DatasetVersion version;
            String reportJson;
            if (existing.isPresent()) {
                version = existing.get();
                reportJson = Files.readString(reportPath(version));
            } else {
                Path rows = dir.resolve(hash.substring(hash.indexOf(':') + 1) + ".jsonl");
                version = versions.save(new DatasetVersion(null, dataset.id(), hash, cleaned.rows(), rows.toString(),
                        upload.createdBy(), Instant.now()));
                audit.record(upload.createdBy(), "dataset.version-created", "dataset:" + dataset.name(), null, null,
                        hash + ": " + v.rowsRead() + " rows read, " + v.badRows() + " bad, "
                                + cleaned.report().rowsOut() + " after cleaning (upload " + id + ")");
                Files.move(rowsTmp, rows, StandardCopyOption.REPLACE_EXISTING);
                Files.move(reportTmp, reportPath(version), StandardCopyOption.REPLACE_EXISTING);
                reportJson = cleaned.report().toJson();
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("validation", validationView(v));
            result.put("cleaning", json.readValue(reportJson, Argument.mapOf(String.class, Object.class)));
            scratch.delete(id); // before SUCCEEDED is visible: whoever sees it finds no file of the upload left
            if (uploads.succeeded(id, v.rowsRead(), version.id(), existing.isEmpty(), json.writeValueAsString(result),
                    Instant.now(), replica.id()) == 0) {
                throw new IllegalStateException("upload " + id + " was taken over by another replica; its result"
                        + " is theirs");
            }
            audit.record(upload.createdBy(), "dataset.upload-succeeded", subject(id),
                    DatasetUpload.Status.RUNNING.name(), DatasetUpload.Status.SUCCEEDED.name(),
                    "version " + version.id() + (existing.isPresent() ? " (identical rows were already a version)" : ""));
            return null;
        });
    }

    /**
     * Writes progress to the upload's row at most every {@link #PROGRESS_EVERY_MS}; stops the work
     * when the worker is interrupted (the service is stopping: the upload is resumed at the next start).
     */
    private FileProgress progress(long id, String owner) {
        long[] last = {0};
        return (step, rowsRead, fraction) -> {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("the service is stopping");
            }
            long now = System.currentTimeMillis();
            if (now - last[0] < PROGRESS_EVERY_MS) {
                return;
            }
            last[0] = now;
            uploads.progress(id, step.length() > 100 ? step.substring(0, 100) : step, rowsRead,
                    (int) Math.floor(Math.min(1, Math.max(0, fraction)) * 100), owner);
        };
    }

    private void fail(long id, String why, Map<String, Object> problem, String actor) {
        String error = why.length() > 3900 ? why.substring(0, 3900) : why;
        scratch.delete(id); // before FAILED is visible: nothing of a failed upload is kept
        try {
            tx.executeWrite(status -> {
                if (uploads.failed(id, error, json.writeValueAsString(problem), Instant.now(), replica.id()) > 0) {
                    audit.record(actor, "dataset.upload-failed", subject(id), null,
                            DatasetUpload.Status.FAILED.name(), error);
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("dataset upload {} could not be marked failed; the next start fails it", id, e);
        }
    }

    private long copyBounded(InputStream body, Path target) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = body; OutputStream out = Files.newOutputStream(target)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new ApiException(413, "payload-too-large", "Request Entity Too Large",
                            "dataset upload exceeds the limit of " + maxBytes + " bytes", Map.of("limit", maxBytes));
                }
                out.write(buffer, 0, n);
            }
        }
        return total;
    }

    private static void checkFormat(Dataset dataset, ValidationReport v) {
        boolean preference = v.kind() == DatasetKind.PREFERENCE;
        boolean fits = switch (dataset.format()) {
            case PREFERENCE -> preference;
            case ALPACA -> !preference && v.format() == io.adapterops.trainer.data.DatasetFormat.ALPACA;
            case SHAREGPT -> !preference && v.format() == io.adapterops.trainer.data.DatasetFormat.SHAREGPT;
            case OPENAI -> !preference && v.format() == io.adapterops.trainer.data.DatasetFormat.MESSAGES;
        };
        if (!fits) {
            throw ApiException.badField("format", "dataset '" + dataset.name() + "' is declared " + dataset.format()
                    + " but the upload holds " + v.format() + " " + v.kind() + " rows");
        }
    }

    private static ApiException invalid(ValidationReport v) {
        List<Map<String, Object>> problems = v.problems().stream().map(DatasetUploads::problem).toList();
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("rowsRead", v.rowsRead());
        ext.put("badRows", v.badRows());
        ext.put("problems", problems);
        ext.put("problemsOmitted", v.problemsOmitted());
        String first = v.problems().isEmpty() ? "" : ": first: " + v.problems().get(0);
        return new ApiException(400, "invalid-dataset", "Invalid dataset", v.badRows() + " of " + v.rowsRead()
                + " rows are invalid; nothing was stored (upload with skipInvalid=true to keep the good rows)" + first,
                ext);
    }

    static Map<String, Object> validationView(ValidationReport v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", String.valueOf(v.format()));
        m.put("kind", String.valueOf(v.kind()));
        m.put("rowsRead", v.rowsRead());
        m.put("rowsAccepted", v.rowsAccepted());
        m.put("badRows", v.badRows());
        m.put("problems", v.problems().stream().map(Object::toString).toList());
        return m;
    }

    private static Map<String, Object> problem(RowProblem p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", p.line());
        if (p.element() >= 0) {
            m.put("element", p.element());
        }
        if (p.field() != null) {
            m.put("field", p.field());
        }
        m.put("message", p.message());
        return m;
    }

    /** The problem details the synchronous upload answered with, kept as the failed upload's result. */
    private static Map<String, Object> problem(ApiException e) {
        return problem(e.status(), e.type(), e.getMessage(), e.extensions());
    }

    private static Map<String, Object> problem(int status, String type, String detail, Map<String, Object> ext) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("type", type);
        m.put("detail", detail);
        m.putAll(ext);
        return m;
    }

    private static String subject(long id) {
        return "dataset-upload:" + id;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        recover(replica.id());
        List<Path> listed = scratch.list();
        Set<Long> alive = uploads.unfinished().stream().map(DatasetUpload::id).collect(Collectors.toSet());
        int swept = scratch.sweep(listed, alive);
        if (swept > 0) {
            LOG.info("deleted {} temporary upload file(s) that no unfinished upload owns", swept);
        }
        heartbeat = replica.heartbeat("dataset-upload-leases", this::beat);
    }

    private void beat() {
        try {
            uploads.renew(replica.id(), Instant.now().plus(replica.lease()));
            recover(null);
        } catch (RuntimeException e) {
            LOG.warn("dataset upload heartbeat failed; retrying: {}", e.toString());
        }
    }

    /**
     * Takes over unfinished uploads whose replica is gone: this one's own from before a restart
     * ({@code restarted}), or any whose lease ran out. One still being received is failed (its body
     * is lost); a received one is processed again from its file, or failed when the file is not here.
     */
    private void recover(@Nullable String restarted) {
        Instant now = Instant.now();
        for (DatasetUpload u : uploads.orphaned(restarted == null ? "" : restarted, now)) {
            if (local.contains(u.id()) || uploads.takeOver(u.id(), replica.id(), restarted == null ? "" : restarted,
                    now, now.plus(replica.lease())) == 0) {
                continue;
            }
            String gone = "the replica " + (u.owner() == null ? "" : u.owner() + " ")
                    + (restarted == null ? "holding it stopped renewing its lease" : "holding it restarted");
            try {
                if (u.status() == DatasetUpload.Status.RECEIVING) {
                    String why = "interrupted while the file was being received: " + gone + "; upload the file again";
                    fail(u.id(), why, problem(503, "upload-interrupted", why, Map.of()), "system");
                } else if (Files.exists(scratch.body(u.id()))) {
                    audit.record("system", "dataset.upload-resumed", subject(u.id()), u.status().name(),
                            DatasetUpload.Status.RUNNING.name(), gone + "; " + replica.id() + " processes it again");
                    submit(u.id(), "resumed after " + gone);
                } else {
                    String why = "interrupted while it was processed: " + gone + ", and the uploaded file is not in "
                            + replica.id() + "'s data dir; upload the file again";
                    fail(u.id(), why, problem(503, "upload-interrupted", why, Map.of()), "system");
                }
            } catch (IOException e) {
                LOG.warn("cannot recover dataset upload {}: {}", u.id(), e.toString());
            }
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        worker.shutdownNow();
    }
}

package io.adapterops.service.datasets;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.storage.DataDir;
import io.adapterops.service.web.ApiException;
import io.adapterops.trainer.data.DatasetKind;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import io.adapterops.trainer.data.RowProblem;
import io.adapterops.trainer.data.ValidationReport;
import io.adapterops.trainer.data.cleaning.CleaningConfig;
import io.adapterops.trainer.data.cleaning.CleaningPipeline;
import io.adapterops.trainer.data.cleaning.CleaningResult;
import io.micronaut.context.annotation.Value;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns an uploaded file into an immutable, cleaned DatasetVersion: stream to disk (bounded),
 * validate every row, clean, write the cleaned rows and the report under the content hash, then
 * record the version. Any refusal deletes what was written, so nothing half-done is kept.
 */
@Singleton
public class DatasetUploads {
    private final DatasetRepository datasets;
    private final DatasetVersionRepository versions;
    private final AuditLog audit;
    private final Path root;
    private final long maxBytes;
    private final TransactionOperations<Connection> tx;

    public DatasetUploads(DatasetRepository datasets, DatasetVersionRepository versions, AuditLog audit,
                          TransactionOperations<Connection> tx,
                          DataDir dataDir,
                          @Value("${adapterops.datasets.max-upload-bytes:209715200}") long maxBytes) {
        this.datasets = datasets;
        this.versions = versions;
        this.audit = audit;
        this.root = dataDir.resolve("datasets");
        this.maxBytes = maxBytes;
        this.tx = tx;
    }

    /** What an upload produced: the version (new or the identical existing one) and the reports. */
    public record Outcome(DatasetVersion version, boolean created, ValidationReport validation, String cleaningJson) {
    }

    /**
     * Validation and cleaning run outside any transaction (they may take a while); the version row,
     * its audit event and the move of the files to their content-addressed names happen in one short
     * transaction. Files under a hash name only ever hold that hash's content, so a racing upload of
     * the same rows can overwrite them harmlessly and a refused upload never deletes them.
     */
    public Outcome upload(String name, InputStream body, boolean skipInvalid, String actor) {
        Dataset dataset = datasets.findByName(name).orElseThrow(() -> ApiException.notFound("dataset", name));
        Path dir = root.resolve(dataset.name());
        String token = UUID.randomUUID().toString();
        Path upload = dir.resolve(".upload-" + token);
        Path rowsTmp = dir.resolve(".rows-" + token);
        Path reportTmp = dir.resolve(".report-" + token);
        try {
            Files.createDirectories(dir);
            copyBounded(body, upload);
            ReadOptions options = skipInvalid ? ReadOptions.defaults().skippingInvalid() : ReadOptions.defaults();
            LoadedDataset loaded = new DatasetReader(options).load(upload);
            ValidationReport v = loaded.report();
            if (!v.accepted()) {
                throw invalid(v);
            }
            checkFormat(dataset, v);
            CleaningResult cleaned = new CleaningPipeline(CleaningConfig.defaults()).clean(loaded.examples());
            if (cleaned.version().examples().isEmpty()) {
                throw ApiException.badField("body", "no row survived cleaning; see the report steps: "
                        + cleaned.report().toJson());
            }
            try (OutputStream out = Files.newOutputStream(rowsTmp)) {
                cleaned.version().writeJsonl(out);
            }
            Files.writeString(reportTmp, cleaned.report().toJson());
            String hash = cleaned.version().id();
            return tx.executeWrite(status -> {
                var existing = versions.findByDatasetIdAndContentHash(dataset.id(), hash);
                if (existing.isPresent()) {
                    return new Outcome(existing.get(), false, v, Files.readString(reportPath(existing.get())));
                }
                Path rows = dir.resolve(hash.substring(hash.indexOf(':') + 1) + ".jsonl");
                DatasetVersion saved = versions.save(new DatasetVersion(null, dataset.id(), hash,
                        cleaned.version().examples().size(), rows.toString(), actor, Instant.now()));
                audit.record(actor, "dataset.version-created", "dataset:" + name, null, null,
                        hash + ": " + v.rowsRead() + " rows read, " + v.badRows() + " bad, "
                                + cleaned.report().rowsOut() + " after cleaning");
                Files.move(rowsTmp, rows, StandardCopyOption.REPLACE_EXISTING);
                Files.move(reportTmp, reportPath(saved), StandardCopyOption.REPLACE_EXISTING);
                return new Outcome(saved, true, v, cleaned.report().toJson());
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the upload of dataset '" + name + "'", e);
        } finally {
            deleteQuietly(upload, rowsTmp, reportTmp);
        }
    }

    public Path reportPath(DatasetVersion version) {
        String rows = version.path();
        return Path.of(rows.substring(0, rows.length() - ".jsonl".length()) + ".report.json");
    }

    private void copyBounded(InputStream body, Path target) throws IOException {
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

    private static void deleteQuietly(Path... paths) {
        for (Path p : paths) {
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is harmless and is not a version
                }
            }
        }
    }
}

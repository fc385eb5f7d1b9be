package io.adapterops.service.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.registry.RegistryRequests;
import io.adapterops.service.web.ApiException;
import io.adapterops.trainer.data.DatasetDescription;
import io.adapterops.trainer.data.DatasetKind;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.multipart.CompletedFileUpload;
import io.micronaut.http.multipart.CompletedPart;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a whole {@code dataset_info.json} and the files its entries name, checks all of it, then
 * starts one upload per entry (see {@link DatasetUploads#receive}). A form that is wrong in any part
 * is refused before a dataset is created or a byte stored.
 */
@Singleton
public class DatasetImports {
    static final int MAX_ENTRIES = 64;
    private static final int MAX_INFO_CHARS = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetRepository datasets;
    private final DatasetUploads uploads;
    private final AuditLog audit;
    private final long maxBytes;

    public DatasetImports(DatasetRepository datasets, DatasetUploads uploads, AuditLog audit,
                          @Value("${adapterops.datasets.max-upload-bytes:209715200}") long maxBytes) {
        this.datasets = datasets;
        this.uploads = uploads;
        this.audit = audit;
        this.maxBytes = maxBytes;
    }

    /** One entry to upload: the dataset it goes into, its entry (as JSON) and its file. */
    private record Planned(String dataset, DatasetFormat format, String entry, CompletedFileUpload file) {
    }

    /** An upload started for an entry. */
    public record Started(String dataset, DatasetUpload upload) {
    }

    public List<Started> start(List<CompletedPart> parts, String actor) throws IOException {
        String info = null;
        Set<String> chosen = null;
        boolean skipInvalid = false;
        Map<String, CompletedFileUpload> files = new LinkedHashMap<>();
        for (CompletedPart part : parts) {
            String name = part.getName();
            if ("dataset_info".equals(name)) {
                info = text(part, name, MAX_INFO_CHARS);
            } else if ("entries".equals(name)) {
                chosen = new LinkedHashSet<>(Arrays.stream(text(part, name, 10_000).split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList());
            } else if ("skipInvalid".equals(name)) {
                skipInvalid = Boolean.parseBoolean(text(part, name, 10).trim());
            } else if (part instanceof CompletedFileUpload file && file.getFilename() != null
                    && !file.getFilename().isBlank()) {
                String fileName = baseName(file.getFilename());
                if (files.put(fileName, file) != null) {
                    throw ApiException.badField("files", "the form holds two files named '" + fileName + "'");
                }
            } else {
                throw ApiException.badField(name, "form part '" + name + "' is not understood: send dataset_info,"
                        + " entries, skipInvalid, and the entries' files as file parts (-F files=@path)");
            }
        }
        List<Planned> plan = plan(info, chosen, files);
        List<Started> started = new ArrayList<>();
        for (Planned p : plan) {
            dataset(p, actor);
            try (InputStream in = p.file().getInputStream()) {
                started.add(new Started(p.dataset(), uploads.receive(p.dataset(), in, skipInvalid, p.entry(), null,
                        actor)));
            }
        }
        return started;
    }

    private List<Planned> plan(String info, Set<String> chosen, Map<String, CompletedFileUpload> files)
            throws JsonProcessingException {
        if (info == null) {
            throw ApiException.badField("dataset_info", "the form has no dataset_info part: send the whole file,"
                    + " -F dataset_info=@data/dataset_info.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(info);
        } catch (JsonProcessingException e) {
            throw ApiException.badField("dataset_info", "dataset_info is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw ApiException.badField("dataset_info", "dataset_info is a JSON object of entries, as LLaMA-Factory's"
                    + " data/dataset_info.json");
        }
        if (DatasetDescription.KEYS.stream().anyMatch(root::has)) {
            throw ApiException.badField("dataset_info", "dataset_info is one entry, not a whole dataset_info.json:"
                    + " upload one entry with its file to /api/v1/datasets/{name}/versions");
        }
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        if (chosen != null) {
            for (String name : chosen) {
                if (!root.has(name)) {
                    throw ApiException.badField("entries", "dataset_info has no entry '" + name + "' (entries: "
                            + String.join(", ", names) + ")");
                }
            }
            names = new ArrayList<>(chosen);
        }
        if (names.isEmpty() || names.size() > MAX_ENTRIES) {
            throw ApiException.badField("entries", "an import reads 1 to " + MAX_ENTRIES + " entries, not "
                    + names.size() + "; choose some with -F entries=a,b");
        }
        // Every entry's description first, so a key that is not honoured is named before any missing file.
        Map<String, DatasetDescription> described = new LinkedHashMap<>();
        for (String name : names) {
            if (!name.matches(RegistryRequests.NAME)) {
                throw ApiException.badField("dataset_info", "entry '" + name + "' cannot name a dataset: lower-case"
                        + " letters, digits, '.', '_' and '-', at most 100 characters");
            }
            try {
                described.put(name, DatasetDescription.parse(root.get(name)));
            } catch (IllegalArgumentException e) {
                throw ApiException.badField("dataset_info", "entry '" + name + "': " + e.getMessage()
                        + (chosen == null ? "; import only some entries with -F entries=a,b" : ""));
            }
            if (described.get(name).fileName() == null) {
                throw ApiException.badField("dataset_info", "entry '" + name + "' names no file_name");
            }
        }
        List<Planned> plan = new ArrayList<>();
        Set<String> read = new LinkedHashSet<>();
        for (Map.Entry<String, DatasetDescription> e : described.entrySet()) {
            String name = e.getKey();
            DatasetDescription d = e.getValue();
            CompletedFileUpload file = files.get(baseName(d.fileName()));
            if (file == null) {
                throw ApiException.badField("files", "entry '" + name + "' reads '" + d.fileName() + "' but the form"
                        + " has no file of that name (files: " + String.join(", ", files.keySet()) + ")");
            }
            if (file.getSize() > maxBytes) {
                throw new ApiException(413, "payload-too-large", "Request Entity Too Large", "file '"
                        + d.fileName() + "' of entry '" + name + "' exceeds the limit of " + maxBytes + " bytes",
                        Map.of("limit", maxBytes));
            }
            DatasetFormat format = d.kind() == DatasetKind.PREFERENCE ? DatasetFormat.PREFERENCE
                    : d.format() == io.adapterops.trainer.data.DatasetFormat.SHAREGPT ? DatasetFormat.SHAREGPT
                    : DatasetFormat.ALPACA;
            datasets.findByName(name).filter(existing -> existing.format() != format).ifPresent(existing -> {
                throw ApiException.badField("dataset_info", "entry '" + name + "' holds " + format + " rows but"
                        + " dataset '" + name + "' is declared " + existing.format());
            });
            read.add(baseName(d.fileName()));
            plan.add(new Planned(name, format, JSON.writeValueAsString(root.get(name)), file));
        }
        List<String> unread = files.keySet().stream().filter(f -> !read.contains(f)).toList();
        if (!unread.isEmpty()) {
            throw ApiException.badField("files", "no entry imported reads " + String.join(", ", unread)
                    + "; leave the file out or name its entry");
        }
        return plan;
    }

    private void dataset(Planned p, String actor) {
        if (datasets.findByName(p.dataset()).isEmpty()) {
            Dataset saved = datasets.save(new Dataset(null, p.dataset(), "imported from dataset_info.json",
                    p.format(), actor, Instant.now()));
            audit.record(actor, "dataset.created", "dataset:" + saved.name(), null, null,
                    "format " + saved.format() + ", from its dataset_info.json entry");
        }
    }

    /** The file's own name: LLaMA-Factory's file_name is relative to its data folder, a form sends a base name. */
    private static String baseName(String path) {
        String p = path.replace('\\', '/');
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static String text(CompletedPart part, String name, int max) throws IOException {
        byte[] bytes = part.getBytes();
        if (bytes.length > max) {
            throw ApiException.badField(name, "form part '" + name + "' is longer than " + max + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

package io.adapterops.service.models;

import io.adapterops.llm.TinyModels;
import io.adapterops.service.storage.DataDir;
import io.adapterops.service.web.ApiException;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where base models and adapter artifacts live on disk. Base models are Hugging Face folders under
 * {@code <data-dir>/models/<name>}; the tiny models ({@code tiny-llama}, {@code tiny-qwen2}) are
 * generated there on first use, so the embedded default needs no download. Adapter artifacts are
 * read only from inside the data dir, so an API caller cannot make the service read arbitrary files.
 */
@Singleton
public class ModelStore {
    private static final long TINY_SEED = 20261129L;
    private final Path dataDir;
    private final Path models;

    public ModelStore(DataDir dataDir) {
        this.dataDir = dataDir.path();
        this.models = this.dataDir.resolve("models");
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The folder of a base model by name, generating the tiny ones when missing. */
    public synchronized Path baseModel(String name) {
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw ApiException.badField("baseModel", "base model name '" + name + "' must be a plain folder name");
        }
        Path dir = models.resolve(name);
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        try {
            switch (name) {
                case "tiny-llama" -> TinyModels.write(dir, TinyModels.llama(), TINY_SEED);
                case "tiny-qwen2" -> TinyModels.write(dir, TinyModels.qwen2(), TINY_SEED);
                default -> throw ApiException.conflict("model-missing", "base model '" + name + "' is not in "
                        + models + "; put a Hugging Face folder (config.json, *.safetensors, tokenizer.json) there",
                        Map.of("field", "baseModel"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write tiny model " + name + " to " + dir, e);
        }
        return dir;
    }

    /** The adapter folder an artifact URI ({@code file:///…} or a path) names, checked to be inside the data dir. */
    public Path adapterFolder(String artifactUri) {
        Path path;
        try {
            path = artifactUri.startsWith("file:") ? Path.of(URI.create(artifactUri)) : Path.of(artifactUri);
        } catch (RuntimeException e) {
            throw ApiException.badField("artifactUri", "'" + artifactUri + "' is not a file URI or path");
        }
        Path abs = path.toAbsolutePath().normalize();
        if (!abs.startsWith(dataDir)) {
            throw ApiException.badField("artifactUri", "adapter artifacts are read from inside the data dir "
                    + dataDir + "; '" + artifactUri + "' is outside it");
        }
        if (!Files.isRegularFile(abs.resolve("adapter_config.json"))) {
            throw ApiException.badField("artifactUri", "'" + artifactUri + "' holds no adapter_config.json");
        }
        return abs;
    }
}

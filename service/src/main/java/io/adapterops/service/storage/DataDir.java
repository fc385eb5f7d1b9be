package io.adapterops.service.storage;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/**
 * The data dir ({@code adapterops.data-dir}, {@code ./data} by default), resolved once at start-up to
 * an absolute, normalised path. Every file the service keeps lives under it; paths are compared with
 * {@code startsWith}, which is only sound when both sides are absolute and normalised.
 */
@Singleton
public class DataDir {
    private final Path path;

    public DataDir(@Value("${adapterops.data-dir}") String dir) {
        this.path = Path.of(dir).toAbsolutePath().normalize();
    }

    public Path path() {
        return path;
    }

    public Path resolve(String child) {
        return path.resolve(child);
    }
}

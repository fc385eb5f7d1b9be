package io.adapterops.service.datasets;

import io.adapterops.service.storage.DataDir;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where uploads keep their files until they become a version: {@code datasets/.uploads/} under the
 * data dir, every file named {@code <upload id>.<what>}, so a sweep can tell whose a file is. Dataset
 * folders themselves only ever hold finished versions.
 */
@Singleton
public class UploadScratch {
    private static final Logger LOG = LoggerFactory.getLogger(UploadScratch.class);
    /** Temporary names of the synchronous uploads before uploads were jobs; never a finished version. */
    private static final List<String> LEGACY_PREFIXES = List.of(".upload-", ".rows-", ".report-");

    private final Path datasets;
    private final Path dir;

    public UploadScratch(DataDir dataDir) {
        this.datasets = dataDir.resolve("datasets");
        this.dir = datasets.resolve(".uploads");
    }

    public Path dir() throws IOException {
        return Files.createDirectories(dir);
    }

    public Path body(long upload) throws IOException {
        return dir().resolve(upload + ".body");
    }

    public Path rows(long upload) throws IOException {
        return dir().resolve(upload + ".rows");
    }

    public Path report(long upload) throws IOException {
        return dir().resolve(upload + ".report.json");
    }

    /** Deletes every file of one upload. */
    public void delete(long upload) {
        for (Path p : list()) {
            if (owner(p) == upload) {
                deleteQuietly(p);
            }
        }
    }

    /** The scratch files as they are now; list before reading which uploads are alive, then {@link #sweep}. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(files::add);
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dir, e.toString());
        }
        return files;
    }

    /**
     * Deletes the listed files of uploads not in {@code alive}, and the temporary files the
     * synchronous uploads of earlier releases left in dataset folders. Returns how many went.
     */
    public int sweep(List<Path> listed, Set<Long> alive) {
        int deleted = 0;
        for (Path p : listed) {
            if (!alive.contains(owner(p)) && deleteQuietly(p)) {
                deleted++;
            }
        }
        if (Files.isDirectory(datasets)) {
            try (Stream<Path> folders = Files.list(datasets)) {
                for (Path folder : folders.filter(Files::isDirectory).filter(f -> !f.equals(dir)).toList()) {
                    try (Stream<Path> files = Files.list(folder)) {
                        for (Path p : files.filter(UploadScratch::isLegacyTemporary).toList()) {
                            deleted += deleteQuietly(p) ? 1 : 0;
                        }
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot sweep {}: {}", datasets, e.toString());
            }
        }
        return deleted;
    }

    private static boolean isLegacyTemporary(Path p) {
        String name = p.getFileName().toString();
        return LEGACY_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** The upload a scratch file belongs to, or -1 for a name that is none of ours. */
    static long owner(Path p) {
        String name = p.getFileName().toString();
        int dot = name.indexOf('.');
        try {
            return Long.parseLong(dot < 0 ? name : name.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean deleteQuietly(Path p) {
        try {
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.toString());
            return false;
        }
    }
}

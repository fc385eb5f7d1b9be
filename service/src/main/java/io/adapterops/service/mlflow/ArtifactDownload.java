package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.mlflow.MlflowGateway.ARTIFACTS;
import static io.adapterops.service.mlflow.MlflowGateway.ARTIFACT_LIST;
import static io.adapterops.service.mlflow.MlflowGateway.encodePath;

/**
 * Downloads through the artifact proxy as MLflow's client does ({@code http_artifact_repo.py}): a path
 * whose listing is empty is a file, anything else a folder walked by listing. The listing's names come
 * from the server and are checked so that none lands outside the target folder; each file streams into
 * a {@code .part} file that replaces the target only once complete.
 */
final class ArtifactDownload {
    private final MlflowGateway gateway;

    ArtifactDownload(MlflowGateway gateway) {
        this.gateway = gateway;
    }

    /** {@code root}: the run's folder under the proxy; {@code runId} only names the run in messages. */
    List<Path> download(String root, String runId, String artifactPath, Path target) {
        String path = artifactPath.replaceAll("^/+", "").replaceAll("/+$", "");
        Path dir = target.toAbsolutePath().normalize();
        String remote = path.isEmpty() ? root : root + "/" + path;
        List<Path> written = new ArrayList<>();
        List<Map<String, Object>> entries = list(remote);
        if (!entries.isEmpty()) {
            walk(remote, path, entries, dir, runId, written);
        } else if (path.isEmpty()) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, 404, null,
                    "MLflow run " + runId + " has no artifacts", null);
        } else {
            String name = path.substring(path.lastIndexOf('/') + 1);
            written.add(file(remote, path, null, inside(dir, name, path, runId), runId));
        }
        return written;
    }

    private void walk(String remote, String shown, List<Map<String, Object>> entries, Path dir, String runId,
                      List<Path> written) {
        for (Map<String, Object> entry : entries) {
            String name = String.valueOf(entry.get("path"));
            String childShown = shown.isEmpty() ? name : shown + "/" + name;
            Path local = inside(dir, name, childShown, runId);
            String child = remote + "/" + name;
            if (Boolean.TRUE.equals(entry.get("is_dir"))) {
                walk(child, childShown, list(child), local, runId, written);
            } else {
                written.add(file(child, childShown, entry.get("file_size"), local, runId));
            }
        }
    }

    /** The listing of a folder: names relative to it (MLflow strips them to base names). */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> list(String remote) {
        String query = URLEncoder.encode(remote, StandardCharsets.UTF_8);
        Map<String, Object> answer = gateway.parse(gateway.send(gateway.request(ARTIFACT_LIST + "?path=" + query)
                .GET().build()));
        return answer.get("files") instanceof List<?> files ? (List<Map<String, Object>>) files : List.of();
    }

    /** A name from the server may not climb out of, or replace, the folder it is listed in. */
    private static Path inside(Path dir, String name, String shown, String runId) {
        Path local = dir.resolve(name).normalize();
        if (name.isEmpty() || !dir.equals(local.getParent())) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, 0, null, "refusing artifact '" + shown
                    + "' of MLflow run " + runId + ": it would be written outside " + dir, null);
        }
        return local;
    }

    private Path file(String remote, String shown, @Nullable Object listedSize, Path local, String runId) {
        HttpRequest request = gateway.request(ARTIFACTS + encodePath(remote)).GET().build();
        HttpResponse<InputStream> response = gateway.exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        Path part = local.resolveSibling(local.getFileName() + ".part");
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw failed(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8),
                        shown, runId, request);
            }
            Files.createDirectories(local.getParent());
            long copied = Files.copy(body, part, StandardCopyOption.REPLACE_EXISTING);
            if (listedSize != null && copied != Long.parseLong(String.valueOf(listedSize))) {
                throw new IOException("received " + copied + " bytes of " + listedSize);
            }
            Files.move(part, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return local;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // The download failed already; a stray .part file is overwritten by the next attempt.
            }
            throw new MlflowCallException(MlflowCallException.Kind.TRANSPORT, 0, null, "download of artifact '"
                    + shown + "' of MLflow run " + runId + " to " + local + " broke off: " + e.getMessage(), e);
        }
    }

    private MlflowCallException failed(int status, String body, String shown, String runId, HttpRequest request) {
        MlflowCallException e = gateway.failure(status, body, MlflowGateway.what(request));
        String text = status == 404 || "RESOURCE_DOES_NOT_EXIST".equals(e.errorCode())
                ? "artifact '" + shown + "' of MLflow run " + runId + " does not exist (" + e.getMessage() + ")"
                : "artifact '" + shown + "' of MLflow run " + runId + " cannot be downloaded: " + e.getMessage();
        return new MlflowCallException(e.kind(), status, e.errorCode(), text, null);
    }
}

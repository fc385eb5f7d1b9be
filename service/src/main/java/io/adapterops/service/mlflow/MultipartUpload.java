package io.adapterops.service.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.mlflow.MlflowGateway.MULTIPART;
import static io.adapterops.service.mlflow.MlflowGateway.encodePath;

/**
 * The artifact proxy's multipart upload, as MLflow's own client does it
 * ({@code mlflow/store/artifact/http_artifact_repo.py}, {@code _try_multipart_upload}): {@code mpu/create}
 * on the file's folder with its name and part count returns presigned part URLs; each part is PUT straight
 * to the store, without the MLflow credentials; {@code mpu/complete} lists the parts with their ETags. Any
 * failure after the create aborts the upload, so the store keeps no half file, and the caller retries the
 * whole file.
 */
final class MultipartUpload {
    /** The message of MLflow's {@code _UnsupportedMultipartUploadException} (NOT_IMPLEMENTED, HTTP 501). */
    static final String UNSUPPORTED = "Multipart upload is not supported for the current artifact repository";

    private final MlflowGateway gateway;
    private final MlflowConfig config;

    MultipartUpload(MlflowGateway gateway, MlflowConfig config) {
        this.gateway = gateway;
        this.config = config;
    }

    /**
     * Uploads {@code file} to {@code target} (a path under the artifact proxy) in parts; false, with
     * nothing sent but the create, when the server's artifact store cannot do multipart uploads.
     */
    boolean upload(String target, Path file, long size) {
        int slash = target.lastIndexOf('/');
        String folder = encodePath(target.substring(0, slash));
        String name = target.substring(slash + 1);
        long partSize = config.multipartPartSize();
        long parts = (size + partSize - 1) / partSize;
        Map<String, Object> created;
        try {
            created = gateway.exchangeJson("POST", MULTIPART + "create/" + folder,
                    Map.of("path", name, "num_parts", parts));
        } catch (MlflowCallException e) {
            if (unsupported(e)) {
                return false;
            }
            throw e;
        }
        String uploadId = String.valueOf(created.get("upload_id"));
        try {
            List<Map<String, Object>> credentials = credentials(created, parts, target);
            List<Map<String, Object>> sent = new ArrayList<>();
            for (Map<String, Object> credential : credentials) {
                sent.add(putPart(credential, file, size, partSize, target, parts));
            }
            gateway.exchangeJson("POST", MULTIPART + "complete/" + folder,
                    Map.of("path", name, "upload_id", uploadId, "parts", sent));
        } catch (RuntimeException e) {
            try {
                gateway.exchangeJson("POST", MULTIPART + "abort/" + folder, Map.of("path", name, "upload_id", uploadId));
            } catch (MlflowCallException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
        return true;
    }

    /** MLflow tells by the message; servers older than the multipart API have no such route (404). */
    private static boolean unsupported(MlflowCallException e) {
        return "NOT_IMPLEMENTED".equals(e.errorCode()) || e.status() == 404
                || e.getMessage() != null && e.getMessage().contains(UNSUPPORTED);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> credentials(Map<String, Object> created, long parts, String target) {
        List<Map<String, Object>> list = created.get("credentials") instanceof List<?> l
                ? new ArrayList<>((List<Map<String, Object>>) l) : List.of();
        if (created.get("upload_id") == null || list.size() != parts) {
            throw new MlflowCallException(MlflowCallException.Kind.SERVER, 200, null, "mpu/create for " + target
                    + " answered " + list.size() + " part URLs for " + parts + " parts", null);
        }
        list.sort(Comparator.comparingLong(c -> number(c.get("part_number"))));
        return list;
    }

    private Map<String, Object> putPart(Map<String, Object> credential, Path file, long size, long partSize,
                                        String target, long parts) {
        long number = number(credential.get("part_number"));
        long offset = (number - 1) * partSize;
        long length = Math.min(partSize, size - offset);
        String url = String.valueOf(credential.get("url"));
        String what = "part " + number + " of " + parts + " of " + target;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(config.requestTimeout())
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> FileSlice.open(file, offset, length)), length));
        if (credential.get("headers") instanceof Map<?, ?> headers) {
            headers.forEach((k, v) -> request.header(String.valueOf(k), String.valueOf(v)));
        }
        HttpResponse<String> response;
        try {
            response = gateway.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MlflowCallException(MlflowCallException.Kind.SERVER, 0, null, what + " could not be sent to "
                    + "the artifact store: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowCallException(MlflowCallException.Kind.SERVER, 0, null, what + " was interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            // A store's refusal (an expired URL, a hiccup) is no verdict on MLflow or its credentials: retry.
            throw new MlflowCallException(MlflowCallException.Kind.SERVER, response.statusCode(), null, what
                    + " was refused by the artifact store with HTTP " + response.statusCode(), null);
        }
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("part_number", number);
        part.put("etag", response.headers().firstValue("ETag").orElse(""));
        part.put("url", url);
        return part;
    }

    /** int64 fields come as JSON numbers or, from protobuf's printer, as strings. */
    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
    }

    /** {@code length} bytes of a file from {@code offset}, read as the part is sent. */
    private static final class FileSlice extends InputStream {
        private final FileChannel channel;
        private long left;

        private FileSlice(FileChannel channel, long left) {
            this.channel = channel;
            this.left = left;
        }

        static InputStream open(Path file, long offset, long length) {
            try {
                return new FileSlice(FileChannel.open(file).position(offset), length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}

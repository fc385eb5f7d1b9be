package io.adapterops.service.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.service.support.ServiceProcess;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as a user runs it (its own JVM, ./data), killed with SIGKILL while one upload's body
 * is still arriving and another is being cleaned, then started again under the same name: the cut-off
 * upload fails and says why, the received one is cleaned again into its version, and no temporary
 * file is left.
 */
class DatasetUploadRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> UNFINISHED = List.of("RECEIVING", "QUEUED", "RUNNING");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aCrashFailsTheUploadStillArrivingAndTheReceivedOneIsCleanedAgainLeavingNoTemporaryFile(@TempDir Path cwd)
            throws Exception {
        Map<String, String> env = Map.of("ADAPTEROPS_REPLICA_ID", "upload-crash-test");
        Path scratch = cwd.resolve("data/datasets/.uploads");
        String rows = templatedRows(100_000);
        String cutOff;
        String received;
        try (ServiceProcess first = ServiceProcess.start(cwd, env)) {
            String base = first.url("");
            call(base, "POST", "/api/v1/datasets", "{\"name\":\"tickets\",\"format\":\"ALPACA\"}", 201);
            URI uri = URI.create(base);
            try (Socket slow = new Socket(uri.getHost(), uri.getPort())) {
                OutputStream out = slow.getOutputStream();
                out.write(("POST /api/v1/datasets/tickets/versions HTTP/1.1\r\nHost: " + uri.getAuthority()
                        + "\r\nAuthorization: Bearer " + TestServer.ADMIN_TOKEN
                        + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + rows.length() * 2L
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(rows.substring(0, 200_000).getBytes(StandardCharsets.UTF_8));
                out.flush();
                cutOff = awaitUpload(base, "RECEIVING");

                Map<?, ?> accepted = call(base, "POST", "/api/v1/datasets/tickets/versions", rows, 202);
                received = (String) accepted.get("location");
                for (int i = 0; !"RUNNING".equals(call(base, "GET", received, null, 200).get("status")); i++) {
                    assertTrue(i < 6000, "the received upload never started");
                    Thread.sleep(10);
                }
                first.kill();
            }
        }
        assertTrue(Files.exists(scratch.resolve(idOf(cutOff) + ".body")), "the cut-off body was on disk at the kill");
        Files.writeString(scratch.resolve("987654.body"), "a file no upload owns");

        try (ServiceProcess second = ServiceProcess.start(cwd, env)) {
            String base = second.url("");
            Map<?, ?> failed = call(base, "GET", cutOff, null, 200);
            assertEquals("FAILED", failed.get("status"), failed::toString);
            String why = (String) failed.get("error");
            assertTrue(why.startsWith("interrupted while the file was being received")
                    && why.contains("upload-crash-test holding it restarted") && why.endsWith("upload the file again"),
                    why);
            assertEquals(null, failed.get("version"));

            Map<?, ?> done = call(base, "GET", received, null, 200);
            for (int i = 0; UNFINISHED.contains(done.get("status")) && i < 3000; i++) {
                Thread.sleep(100);
                done = call(base, "GET", received, null, 200);
            }
            assertEquals("SUCCEEDED", done.get("status"), done::toString);
            Map<?, ?> version = (Map<?, ?>) done.get("version");
            assertEquals(100_000, ((Number) ((Map<?, ?>) done.get("cleaning")).get("rowsIn")).intValue(),
                    "the whole received file was cleaned");
            List<?> versions = (List<?>) call(base, "GET", "/api/v1/datasets/tickets/versions", null, 200).get("items");
            assertEquals(List.of(version.get("id")), versions.stream().map(v -> ((Map<?, ?>) v).get("id")).toList(),
                    "the cut-off upload made no version");

            List<?> trail = (List<?>) call(base, "GET", "/api/v1/audit?size=20&subject=dataset-upload:"
                    + idOf(received), null, 200).get("items");
            assertTrue(trail.stream().anyMatch(e -> "dataset.upload-resumed".equals(((Map<?, ?>) e).get("action"))),
                    trail::toString);
            try (Stream<Path> left = Files.list(scratch)) {
                assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
            }
            try (Stream<Path> kept = Files.list(cwd.resolve("data/datasets/tickets"))) {
                assertEquals(2, kept.count(), "the version's rows and report, nothing else");
            }
        }
    }

    private String awaitUpload(String base, String status) throws Exception {
        for (int i = 0; i < 3000; i++) {
            List<?> items = (List<?>) call(base, "GET", "/api/v1/datasets/tickets/uploads", null, 200).get("items");
            if (items != null) {
                for (Object item : items) {
                    if (status.equals(((Map<?, ?>) item).get("status"))) {
                        return (String) ((Map<?, ?>) item).get("location");
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no upload became " + status);
    }

    private static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** Rows of one support-ticket template with random fields: distinct, but all alike. */
    static String templatedRows(int count) {
        Random random = new Random(3);
        String[] names = {"Alice", "Bob", "Chen Wei", "Dara", "Emeka", "Fatima"};
        String[] devices = {"laptop", "phone", "tablet", "printer", "dock"};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String name = names[random.nextInt(names.length)];
            String device = devices[random.nextInt(devices.length)];
            String ref = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
            out.append("{\"instruction\":\"Ticket ").append(100000 + i).append(": ").append(name).append("'s ")
                    .append(device).append(" will not start. Asset ").append(ref).append(".\",\"input\":\"\",")
                    .append("\"output\":\"Thanks ").append(name).append(", ticket ").append(100000 + i)
                    .append(" is logged; reference ").append(new StringBuilder(ref).reverse()).append(".\"}\n");
        }
        return out.toString();
    }

    private Map<?, ?> call(String base, String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), () -> method + " " + path + ": " + r.body());
        assertFalse(r.body().isEmpty(), method + " " + path);
        return JSON.readValue(r.body(), Map.class);
    }
}

package io.adapterops.service.datasets;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatasetUploadTest {
    private static final long LIMIT = 3 * 1024 * 1024;
    private TestServer server;
    private Path dataDir;
    private String admin;

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        Map<String, Object> props = new HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.datasets.max-upload-bytes", LIMIT);
        server = TestServer.start(props);
        admin = TestServer.ADMIN_TOKEN;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String dataset(String format) {
        String name = Api.unique("ds");
        expect(201, server.post("/api/v1/datasets", admin, server.json(Map.of("name", name, "format", format))));
        return name;
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = DatasetUploadTest.class.getClassLoader().getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Reply upload(String name, String body, String query) {
        return DatasetUploading.upload(server, admin, name, body, query);
    }

    /** Files the uploads left in their scratch folder: none once they have finished. */
    private List<String> scratch() throws IOException {
        Path dir = dataDir.resolve("datasets").resolve(".uploads");
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Files left in the dataset folder: only finished versions (rows + report), never temp files. */
    private List<String> files(String name) throws IOException {
        Path dir = dataDir.resolve("datasets").resolve(name);
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theShippedHelpdeskSetBecomesAContentAddressedVersionWithACleaningReport() throws Exception {
        String name = dataset("ALPACA");
        Reply accepted = expect(202, server.post("/api/v1/datasets/" + name + "/versions", admin,
                resource("datasets/it-helpdesk-sft.jsonl")));
        String location = "/api/v1/datasets/" + name + "/uploads/" + accepted.get("id");
        assertEquals(location, accepted.get("location"));
        Reply r = DatasetUploading.finished(server, admin, location);
        assertEquals("SUCCEEDED", r.get("status"), r::toString);
        assertEquals(100, ((Number) r.get("percent")).intValue());
        assertEquals(true, r.get("created"));
        Map<?, ?> version = (Map<?, ?>) r.get("version");
        String hash = (String) version.get("contentHash");
        assertTrue(hash.matches("sha256:[0-9a-f]{64}"), hash);
        assertTrue(((Number) version.get("rows")).intValue() > 200, r::toString);
        assertEquals(((Map<?, ?>) r.get("validation")).get("rowsRead"), ((Number) r.get("rowsRead")).intValue());
        Map<?, ?> cleaning = (Map<?, ?>) r.get("cleaning");
        assertEquals(hash, cleaning.get("datasetVersion"));
        assertFalse(((List<?>) cleaning.get("steps")).isEmpty());
        String hex = hash.substring("sha256:".length());
        assertEquals(List.of(hex + ".jsonl", hex + ".report.json"), files(name));
        assertEquals(List.of(), scratch());

        Reply again = upload(name, resource("datasets/it-helpdesk-sft.jsonl"), "");
        assertEquals("SUCCEEDED", again.get("status"), again::toString);
        assertEquals(false, again.get("created"));
        assertEquals(hash, ((Map<?, ?>) again.get("version")).get("contentHash"));
        Reply report = expect(200, server.get("/api/v1/datasets/" + name + "/versions/" + version.get("id")
                + "/report", admin));
        assertEquals(cleaning, report.map());
        List<?> listed = (List<?>) expect(200, server.get("/api/v1/datasets/" + name + "/uploads", admin)).get("items");
        assertEquals(List.of(again.get("id"), r.get("id")), listed.stream().map(u -> ((Map<?, ?>) u).get("id")).toList());
    }

    @Test
    void progressAndTheEndAreStreamedAsServerSentEvents() throws Exception {
        String name = dataset("ALPACA");
        Reply accepted = expect(202, server.post("/api/v1/datasets/" + name + "/versions", admin, randomRows(7)));
        java.net.http.HttpResponse<String> events = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url(accepted.get("location") + "/events")))
                        .header("Authorization", "Bearer " + admin).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, events.statusCode(), events.body());
        String body = events.body();
        assertTrue(body.contains("event: end") || body.contains("event:end"), body);
        String end = body.substring(body.lastIndexOf("data:"));
        assertTrue(end.contains("\"status\":\"SUCCEEDED\"") && end.contains("\"contentHash\":\"sha256:"), end);
        int progress = Math.max(body.indexOf("event: progress"), body.indexOf("event:progress"));
        assertTrue(progress >= 0 && progress < body.lastIndexOf("end"), body);
        assertTrue(body.contains("\"rowsRead\":") && body.contains("\"percent\":"), body);
    }

    private String url(Object path) {
        return "http://127.0.0.1:" + server.context().getBean(io.micronaut.runtime.server.EmbeddedServer.class)
                .getPort() + path;
    }

    @Test
    void aMultipartFormUploadStoresTheSameVersionAsARawBodyAndLogsNoReferenceCountError() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        String name = dataset("ALPACA");
        String rows = resource("datasets/it-helpdesk-sft.jsonl");
        String boundary = "----adapterops" + System.nanoTime();
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.jsonl\"\r\n"
                + "Content-Type: application/x-ndjson\r\n\r\n" + rows + "\r\n--" + boundary + "--\r\n";
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/api/v1/datasets/" + name + "/versions")))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        String location = r.headers().firstValue("Location").orElseThrow();
        Reply form1 = DatasetUploading.finished(server, admin, location);
        assertEquals("SUCCEEDED", form1.get("status"), form1::toString);
        Reply raw = upload(name, rows, "");
        assertEquals(false, raw.get("created"), "the raw body of the same rows is the same version");
        assertEquals(((Map<?, ?>) form1.get("version")).get("contentHash"),
                ((Map<?, ?>) raw.get("version")).get("contentHash"));
        Thread.sleep(500);
        root.detachAppender(logged);
        assertEquals(List.of(), logged.list.stream()
                .filter(e -> (e.getFormattedMessage() + e.getThrowableProxy()).contains("IllegalReferenceCount")
                        || e.getThrowableProxy() != null
                        && e.getThrowableProxy().getClassName().contains("IllegalReferenceCount"))
                .map(Object::toString).toList(), "the form's part is released once, by the server");
    }

    @Test
    void aBadRowFailsTheWholeUploadNamingLineAndFieldAndStoresNothing() throws Exception {
        String name = dataset("ALPACA");
        long before = server.rows("dataset_version");
        String rows = "{\"instruction\":\"Reset my password\",\"input\":\"\",\"output\":\"Use the self-service portal.\"}\n"
                + "{\"instruction\":\"Printer jammed\",\"input\":\"\"}\n";
        Reply r = upload(name, rows, "");
        assertEquals("FAILED", r.get("status"), r::toString);
        assertTrue(((String) r.get("error")).startsWith("1 of 2 rows are invalid; nothing was stored"), r::toString);
        Map<?, ?> problemDetails = (Map<?, ?>) r.get("problem");
        assertEquals(400, ((Number) problemDetails.get("status")).intValue());
        assertEquals("invalid-dataset", problemDetails.get("type"));
        Map<?, ?> problem = (Map<?, ?>) ((List<?>) problemDetails.get("problems")).get(0);
        assertEquals(2, ((Number) problem.get("line")).intValue());
        assertEquals("output", problem.get("field"));
        assertEquals(null, r.get("version"));
        assertEquals(before, server.rows("dataset_version"));
        assertEquals(List.of(), files(name));
        assertEquals(List.of(), scratch());

        Reply kept = upload(name, rows, "?skipInvalid=true");
        assertEquals("SUCCEEDED", kept.get("status"), kept::toString);
        assertEquals(1, ((Number) ((Map<?, ?>) kept.get("version")).get("rows")).intValue());
        assertEquals(1, ((Number) ((Map<?, ?>) kept.get("validation")).get("badRows")).intValue());
    }

    @Test
    void rowsOfAnotherFormatThanTheDatasetDeclaresAreRefused() throws Exception {
        String name = dataset("ALPACA");
        Reply r = upload(name, resource("datasets/it-helpdesk-preference.jsonl"), "");
        assertEquals("FAILED", r.get("status"), r::toString);
        assertEquals("format", ((Map<?, ?>) r.get("problem")).get("field"));
        assertEquals(List.of(), files(name));
    }

    @Test
    void uploadsStreamPastTheJsonBodyLimitButNotPastTheUploadLimit() throws Exception {
        String name = dataset("ALPACA");
        String big = randomRows(7);
        assertEquals("SUCCEEDED", upload(name, big, "").get("status"));

        String tooBig = big + big;
        String other = dataset("ALPACA");
        Reply r = server.post("/api/v1/datasets/" + other + "/versions", admin, tooBig);
        assertEquals(413, r.status(), () -> r.status() + " " + r.body().substring(0, Math.min(200, r.body().length())));
        Map<?, ?> failed = (Map<?, ?>) ((List<?>) expect(200, server.get("/api/v1/datasets/" + other + "/uploads",
                admin)).get("items")).get(0);
        assertEquals("FAILED", failed.get("status"));
        assertTrue(((String) failed.get("error")).contains("exceeds the limit of " + LIMIT + " bytes"), failed::toString);
        assertEquals(List.of(), scratch(), "no temp file is left behind");
        assertEquals(List.of(), files(other));
    }

    /** About 2 MB of distinct random rows: more than a JSON body may hold, less than the upload limit. */
    private static String randomRows(long seed) {
        Random random = new Random(seed);
        StringBuilder big = new StringBuilder();
        while (big.length() < 2 * 1024 * 1024) {
            StringBuilder words = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                words.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(' ');
            }
            big.append("{\"instruction\":\"").append(words).append("\",\"input\":\"\",\"output\":\"")
                    .append(words.reverse()).append("\"}\n");
        }
        return big.toString();
    }

    @Test
    void llamaFactoryDatasetInfoEntriesReadRenamedColumnsAndUnknownKeysAreRefusedByName() throws Exception {
        String name = dataset("ALPACA");
        String info = "{\"qa\":{\"file_name\":\"qa.json\",\"columns\":{\"prompt\":\"question\",\"response\":"
                + "\"answer\"}},\"" + name + "\":{\"file_name\":\"other.json\"}}";
        String rows = "[{\"question\":\"Reset my password\",\"answer\":\"Use the self-service portal.\"},"
                + "{\"question\":\"Printer jammed\",\"answer\":\"Open tray 2 and pull the sheet out.\"}]";
        String boundary = "----adapterops" + System.nanoTime();
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"qa.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + rows + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"dataset_info\"; filename=\"dataset_info.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + info + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"entry\"\r\n\r\nqa\r\n--" + boundary + "--\r\n";
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/api/v1/datasets/" + name + "/versions")))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        Reply done = DatasetUploading.finished(server, admin, r.headers().firstValue("Location").orElseThrow());
        assertEquals("SUCCEEDED", done.get("status"), done::toString);
        assertEquals(2, ((Number) ((Map<?, ?>) done.get("version")).get("rows")).intValue());
        String hash = (String) ((Map<?, ?>) done.get("version")).get("contentHash");
        List<String> stored = Files.readAllLines(dataDir.resolve("datasets").resolve(name)
                .resolve(hash.substring("sha256:".length()) + ".jsonl"));
        assertTrue(stored.get(0).contains("\"value\":\"Reset my password\"") && stored.get(0).contains(
                "\"value\":\"Use the self-service portal.\""), stored.get(0));

        String sharegpt = dataset("SHAREGPT");
        String entry = java.net.URLEncoder.encode("{\"formatting\":\"sharegpt\",\"columns\":{\"messages\":"
                + "\"conversation\"},\"tags\":{\"role_tag\":\"role\",\"content_tag\":\"content\",\"user_tag\":"
                + "\"user\",\"assistant_tag\":\"assistant\"}}", StandardCharsets.UTF_8);
        Reply bad = upload(sharegpt, "{\"conversation\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"bot\",\"content\":\"Hello\"}]}\n", "?datasetInfo=" + entry);
        assertEquals("FAILED", bad.get("status"), bad::toString);
        Map<?, ?> problem = (Map<?, ?>) ((List<?>) ((Map<?, ?>) bad.get("problem")).get("problems")).get(0);
        assertEquals("conversation[1].role", problem.get("field"), "named in the row's own tags");

        long uploadsBefore = server.rows("dataset_upload");
        Reply refused = server.post("/api/v1/datasets/" + name + "/versions?datasetInfo="
                + java.net.URLEncoder.encode("{\"formatting\":\"alpaca\",\"num_samples\":10}", StandardCharsets.UTF_8),
                admin, rows);
        assertEquals(400, refused.status(), refused::toString);
        assertEquals("dataset_info", refused.get("field"));
        assertTrue(((String) refused.get("detail")).contains("'num_samples'"), refused::toString);
        assertEquals(uploadsBefore, server.rows("dataset_upload"), "nothing was stored for a refused description");
    }

    @Test
    void theApiKeepsAnsweringWhileAnUploadIsCleaned() {
        String name = dataset("ALPACA");
        Reply accepted = expect(202, server.post("/api/v1/datasets/" + name + "/versions", admin, randomRows(11)));
        List<Long> millis = new java.util.ArrayList<>();
        Reply upload = accepted;
        while (List.of("RECEIVING", "QUEUED", "RUNNING").contains((String) upload.get("status"))) {
            long start = System.nanoTime();
            expect(200, server.get("/api/v1/adapters", admin));
            millis.add((System.nanoTime() - start) / 1_000_000);
            upload = expect(200, server.get((String) accepted.get("location"), admin));
        }
        assertEquals("SUCCEEDED", upload.get("status"), upload::toString);
        assertTrue(millis.size() >= 3, "too few requests during the upload to mean anything: " + millis);
        List<Long> sorted = millis.stream().sorted().toList();
        long p95 = sorted.get((int) Math.min(sorted.size() - 1, Math.floor(sorted.size() * 0.95)));
        System.out.printf("GET /api/v1/adapters while an upload of %s rows was cleaned: %d requests, P95 %d ms%n",
                ((Map<?, ?>) upload.get("validation")).get("rowsRead"), millis.size(), p95);
        // A loose bound only (a shared machine): the API answers in seconds, not after the upload.
        assertTrue(p95 < 5_000, "P95 " + p95 + " ms: " + sorted);
    }
}

package io.adapterops.service.datasets;

import io.adapterops.service.support.Api;
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
        return server.post("/api/v1/datasets/" + name + "/versions" + query, admin, body);
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
        Reply r = expect(201, upload(name, resource("datasets/it-helpdesk-sft.jsonl"), ""));
        Map<?, ?> version = (Map<?, ?>) r.get("version");
        String hash = (String) version.get("contentHash");
        assertTrue(hash.matches("sha256:[0-9a-f]{64}"), hash);
        assertTrue(((Number) version.get("rows")).intValue() > 200, r::toString);
        Map<?, ?> cleaning = (Map<?, ?>) r.get("cleaning");
        assertEquals(hash, cleaning.get("datasetVersion"));
        assertFalse(((List<?>) cleaning.get("steps")).isEmpty());
        String hex = hash.substring("sha256:".length());
        assertEquals(List.of(hex + ".jsonl", hex + ".report.json"), files(name));

        Reply again = expect(200, upload(name, resource("datasets/it-helpdesk-sft.jsonl"), ""));
        assertEquals(false, again.get("created"));
        assertEquals(hash, ((Map<?, ?>) again.get("version")).get("contentHash"));
        Reply report = expect(200, server.get("/api/v1/datasets/" + name + "/versions/" + version.get("id")
                + "/report", admin));
        assertEquals(cleaning, report.map());
    }

    @Test
    void aMultipartFormUploadStoresTheSameVersionAsARawBody() throws Exception {
        ch.qos.logback.classic.Logger netty = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "io.netty.util.concurrent.AbstractEventExecutor");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        netty.addAppender(logged);
        String name = dataset("ALPACA");
        String rows = resource("datasets/it-helpdesk-sft.jsonl");
        String boundary = "----adapterops" + System.nanoTime();
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.jsonl\"\r\n"
                + "Content-Type: application/x-ndjson\r\n\r\n" + rows + "\r\n--" + boundary + "--\r\n";
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.context()
                                .getBean(io.micronaut.runtime.server.EmbeddedServer.class).getPort()
                                + "/api/v1/datasets/" + name + "/versions"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        Reply raw = expect(200, upload(name, rows, ""));
        assertEquals(false, raw.get("created"), "the raw body of the same rows is the same version");
        assertTrue(r.body().contains((String) ((Map<?, ?>) raw.get("version")).get("contentHash")), r.body());
        netty.detachAppender(logged);
        assertEquals(List.of(), logged.list.stream().map(Object::toString).toList(),
                "the form's part is released once, by the server");
    }

    @Test
    void aBadRowRejectsTheWholeUploadNamingLineAndFieldAndStoresNothing() throws Exception {
        String name = dataset("ALPACA");
        long before = server.rows("dataset_version");
        String rows = "{\"instruction\":\"Reset my password\",\"input\":\"\",\"output\":\"Use the self-service portal.\"}\n"
                + "{\"instruction\":\"Printer jammed\",\"input\":\"\"}\n";
        Reply r = upload(name, rows, "");
        assertEquals(400, r.status(), r::toString);
        assertEquals("application/problem+json", r.contentType());
        Map<?, ?> problem = (Map<?, ?>) ((List<?>) r.get("problems")).get(0);
        assertEquals(2, ((Number) problem.get("line")).intValue());
        assertEquals("output", problem.get("field"));
        assertEquals(before, server.rows("dataset_version"));
        assertEquals(List.of(), files(name));

        Reply kept = expect(201, upload(name, rows, "?skipInvalid=true"));
        assertEquals(1, ((Number) ((Map<?, ?>) kept.get("version")).get("rows")).intValue());
        assertEquals(1, ((Number) ((Map<?, ?>) kept.get("validation")).get("badRows")).intValue());
    }

    @Test
    void rowsOfAnotherFormatThanTheDatasetDeclaresAreRefused() throws Exception {
        String name = dataset("ALPACA");
        Reply r = upload(name, resource("datasets/it-helpdesk-preference.jsonl"), "");
        assertEquals(400, r.status(), r::toString);
        assertEquals("format", r.get("field"));
        assertEquals(List.of(), files(name));
    }

    @Test
    void uploadsStreamPastTheJsonBodyLimitButNotPastTheUploadLimit() throws Exception {
        String name = dataset("ALPACA");
        Random random = new Random(7);
        StringBuilder big = new StringBuilder();
        while (big.length() < 2 * 1024 * 1024) {
            StringBuilder words = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                words.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(' ');
            }
            big.append("{\"instruction\":\"").append(words).append("\",\"input\":\"\",\"output\":\"")
                    .append(words.reverse()).append("\"}\n");
        }
        expect(201, upload(name, big.toString(), ""));

        String tooBig = big.toString() + big;
        Reply r = upload(dataset("ALPACA"), tooBig, "");
        assertEquals(413, r.status(), () -> r.status() + " " + r.body().substring(0, Math.min(200, r.body().length())));
        assertTrue(Files.list(dataDir.resolve("datasets")).allMatch(d -> {
            try (Stream<Path> s = Files.list(d)) {
                return s.noneMatch(p -> p.getFileName().toString().startsWith("."));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }), "no temp file is left behind");
    }
}

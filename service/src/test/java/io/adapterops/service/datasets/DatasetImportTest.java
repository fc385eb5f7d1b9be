package io.adapterops.service.datasets;

import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole LLaMA-Factory dataset_info.json with its files: one version per entry, or nothing at all. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatasetImportTest {
    private static final String INFO = """
            {
              "qa_pairs": {"file_name": "data/qa.json", "columns": {"prompt": "question", "response": "answer"}},
              "chats": {"file_name": "chats.jsonl", "formatting": "sharegpt",
                        "columns": {"messages": "conversation"},
                        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                                 "assistant_tag": "assistant"}},
              "prefs": {"file_name": "prefs.json", "ranking": true,
                        "columns": {"prompt": "instruction", "chosen": "chosen", "rejected": "rejected"}},
              "hub_only": {"hf_hub_url": "llamafactory/alpaca_en"}
            }""";
    private static final String QA = "[{\"question\":\"Reset my password\",\"answer\":\"Use the self-service portal.\"},"
            + "{\"question\":\"Printer jammed\",\"answer\":\"Open tray 2 and pull the sheet out.\"},"
            + "{\"question\":\"VPN drops every hour\",\"answer\":\"Update the VPN client to 5.2.\"}]";
    private static final String CHATS = "{\"conversation\":[{\"role\":\"user\",\"content\":\"Hi, my laptop is slow\"},"
            + "{\"role\":\"assistant\",\"content\":\"Close the browser tabs you do not need.\"}]}\n"
            + "{\"conversation\":[{\"role\":\"user\",\"content\":\"Where is the wifi password?\"},"
            + "{\"role\":\"assistant\",\"content\":\"On the intranet page of the office.\"}]}\n";
    private static final String PREFS = "[{\"instruction\":\"How do I share a folder?\",\"chosen\":\"Right-click it,"
            + " choose Share and add your colleague.\",\"rejected\":\"You cannot.\"}]";

    private TestServer server;
    private Path dataDir;
    private String admin;

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        server = TestServer.start(TestDatabases.h2(dir));
        admin = TestServer.ADMIN_TOKEN;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void everyEntryChosenBecomesAVersionOfTheDatasetNamedLikeIt() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("qa.json", QA);
        files.put("chats.jsonl", CHATS);
        files.put("prefs.json", PREFS);
        HttpResponse<String> r = post(INFO, "qa_pairs, chats,prefs", files);
        assertEquals(202, r.statusCode(), r.body());
        List<?> uploads = (List<?>) ((Map<?, ?>) parse(r.body())).get("uploads");
        assertEquals(3, uploads.size(), r.body());
        Map<String, Integer> rows = new LinkedHashMap<>();
        for (Object u : uploads) {
            Reply done = DatasetUploading.finished(server, admin, (String) ((Map<?, ?>) u).get("location"));
            assertEquals("SUCCEEDED", done.get("status"), done::toString);
            rows.put((String) done.get("dataset"), ((Number) ((Map<?, ?>) done.get("version")).get("rows")).intValue());
        }
        System.out.println("imported: versions of " + rows + " rows");
        assertEquals(Map.of("qa_pairs", 3, "chats", 2, "prefs", 1), rows);
        assertEquals("ALPACA", expect(200, server.get("/api/v1/datasets/qa_pairs", admin)).get("format"));
        assertEquals("SHAREGPT", expect(200, server.get("/api/v1/datasets/chats", admin)).get("format"));
        assertEquals("PREFERENCE", expect(200, server.get("/api/v1/datasets/prefs", admin)).get("format"));
        Path stored;
        try (var s = Files.list(dataDir.resolve("datasets").resolve("chats"))) {
            stored = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        assertTrue(Files.readString(stored).contains("\"value\":\"Close the browser tabs you do not need.\""),
                "the sharegpt entry's tags were read");

        HttpResponse<String> again = post(INFO, "qa_pairs", Map.of("qa.json", QA));
        Reply same = DatasetUploading.finished(server, admin, (String) ((Map<?, ?>) ((List<?>) ((Map<?, ?>) parse(again.body())).get("uploads")).get(0)).get("location"));
        assertEquals(false, same.get("created"), "the same rows again are the same version");
    }

    @Test
    void aFormWrongInAnyPartIsRefusedByNameAndStoresNothing() throws Exception {
        long datasets = server.rows("dataset");
        long uploads = server.rows("dataset_upload");
        List<String> details = new ArrayList<>();
        details.add(refused(post(INFO, null, Map.of("qa.json", QA)), "dataset_info", "'hf_hub_url'"));
        details.add(refused(post(INFO, "qa_pairs,chats", Map.of("qa.json", QA)), "files", "'chats.jsonl'"));
        details.add(refused(post(INFO, "qa_pairs", Map.of("qa.json", QA, "extra.json", PREFS)), "files",
                "extra.json"));
        details.add(refused(post(INFO, "qa_pairs,nope", Map.of("qa.json", QA)), "entries", "'nope'"));
        details.add(refused(post("{\"file_name\":\"qa.json\"}", null, Map.of("qa.json", QA)), "dataset_info",
                "one entry"));
        details.add(refused(post(INFO.replace("\"qa_pairs\"", "\"QA Pairs\""), "QA Pairs", Map.of("qa.json", QA)),
                "dataset_info", "'QA Pairs'"));
        details.add(refused(post(null, null, Map.of("qa.json", QA)), "dataset_info", "no dataset_info"));
        expect(201, server.post("/api/v1/datasets", admin, server.json(Map.of("name", "taken", "format", "PREFERENCE"))));
        details.add(refused(post("{\"taken\":{\"file_name\":\"qa.json\",\"columns\":{\"prompt\":\"question\","
                + "\"response\":\"answer\"}}}", null, Map.of("qa.json", QA)), "dataset_info", "declared PREFERENCE"));
        details.forEach(d -> System.out.println("refused: " + d));
        assertEquals(datasets + 1, server.rows("dataset"), "only the dataset this test created itself");
        assertEquals(uploads, server.rows("dataset_upload"), "no upload was started");
    }

    private String refused(HttpResponse<String> r, String field, String named) throws java.io.IOException {
        assertEquals(400, r.statusCode(), r.body());
        Map<?, ?> problem = parse(r.body());
        assertEquals(field, problem.get("field"), r.body());
        assertTrue(((String) problem.get("detail")).contains(named), r.body());
        return (String) problem.get("detail");
    }

    private static Map<?, ?> parse(String body) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(body, Map.class);
    }

    private HttpResponse<String> post(String info, String entries, Map<String, String> files) throws Exception {
        String boundary = "----adapterops" + System.nanoTime();
        StringBuilder form = new StringBuilder();
        if (info != null) {
            form.append(part(boundary, "dataset_info", "dataset_info.json", info));
        }
        if (entries != null) {
            form.append(part(boundary, "entries", null, entries));
        }
        files.forEach((name, text) -> form.append(part(boundary, "files", name, text)));
        form.append("--").append(boundary).append("--\r\n");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.context().getBean(io.micronaut.runtime.server.EmbeddedServer.class).getPort()
                        + "/api/v1/datasets/import"))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String part(String boundary, String name, String fileName, String text) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (fileName == null ? "" : "; filename=\"" + fileName + "\"\r\nContent-Type: application/json")
                + "\r\n\r\n" + text + "\r\n";
    }
}

package io.adapterops.trainer.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.llm.TinyModels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's HTTP API, over real HTTP, on the tiny model. */
class TrainerWorkerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;
    private Path base;
    private String dataset;

    @BeforeEach
    void setUp() throws IOException {
        base = TinyModels.write(tmp.resolve("base"), TinyModels.llama(), 7);
        StringBuilder rows = new StringBuilder();
        for (String q : List.of("Reset my password", "VPN is slow", "Printer jams", "Need a monitor")) {
            rows.append(JSON.writeValueAsString(Map.of("instruction", q, "output", "Ask the IT desk about: " + q)))
                    .append('\n');
        }
        dataset = rows.toString();
    }

    private ObjectNode spec(int maxSteps) {
        ObjectNode s = JSON.createObjectNode();
        s.put("base_model", base.toString());
        s.put("dataset", dataset);
        s.put("dataset_hash", "sha256:test");
        s.putObject("config").put("max_steps", maxSteps).put("save_steps", 5).put("val_size", 0)
                .put("learning_rate", 0.005).put("per_device_train_batch_size", 2);
        return s;
    }

    private HttpResponse<String> call(TrainerWorker w, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status(TrainerWorker w, String id) throws Exception {
        return JSON.readTree(call(w, "GET", "/jobs/" + id, null, TOKEN).body());
    }

    private JsonNode waitFor(TrainerWorker w, String id, java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode s = status(w, id);
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = status(w, id);
        }
        return s;
    }

    @Test
    void aSubmittedJobStreamsProgressAndServesItsAdapterAsAZip() throws Exception {
        try (TrainerWorker w = TrainerWorker.start("127.0.0.1", 0, tmp.resolve("data"), TOKEN)) {
            assertEquals(401, call(w, "POST", "/jobs", spec(6).toString(), null).statusCode());
            assertEquals(401, call(w, "GET", "/jobs", null, "wrong").statusCode());
            ObjectNode bad = spec(6);
            ((ObjectNode) bad.get("config")).put("lora_rnak", 4);
            HttpResponse<String> refused = call(w, "POST", "/jobs", bad.toString(), TOKEN);
            assertEquals(400, refused.statusCode());
            assertTrue(refused.body().contains("lora_rnak"), refused.body());

            ObjectNode wrongKind = spec(6);
            ((ObjectNode) wrongKind.get("config")).put("stage", "dpo");
            HttpResponse<String> mismatch = call(w, "POST", "/jobs", wrongKind.toString(), TOKEN);
            assertEquals(400, mismatch.statusCode());
            assertTrue(mismatch.body().contains("stage dpo needs preference rows"), mismatch.body());
            assertEquals("application/problem+json", mismatch.headers().firstValue("Content-Type").orElseThrow());

            HttpResponse<String> created = call(w, "POST", "/jobs", spec(6).toString(), TOKEN);
            assertEquals(202, created.statusCode(), created.body());
            String id = JSON.readTree(created.body()).get("id").asText();
            String queuedId = JSON.readTree(call(w, "POST", "/jobs", spec(6).toString(), TOKEN).body()).get("id").asText();
            assertEquals(202, call(w, "POST", "/jobs/" + queuedId + "/cancel", null, TOKEN).statusCode());

            HttpResponse<String> sse = call(w, "GET", "/jobs/" + id + "/events", null, TOKEN);
            assertEquals("text/event-stream", sse.headers().firstValue("Content-Type").orElseThrow());
            List<JsonNode> progress = new ArrayList<>();
            JsonNode end = null;
            String event = null;
            for (String line : sse.body().split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    JsonNode data = JSON.readTree(line.substring(6));
                    if ("progress".equals(event)) {
                        progress.add(data);
                    } else {
                        end = data;
                    }
                }
            }
            assertEquals(6, progress.size());
            assertEquals(6, progress.get(5).get("step").asInt());
            assertTrue(progress.get(0).has("train_loss") && progress.get(0).has("eta_seconds"));
            assertEquals("SUCCEEDED", end.get("status").asText(), end.toString());
            assertEquals("CANCELLED", status(w, queuedId).get("status").asText());
            assertEquals(409, call(w, "POST", "/jobs/" + id + "/cancel", null, TOKEN).statusCode());

            HttpResponse<byte[]> zip = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + w.port() + "/jobs/" + id + "/adapter"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, zip.statusCode());
            TreeSet<String> names = new TreeSet<>();
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    names.add(e.getName());
                }
            }
            assertEquals(new TreeSet<>(List.of("adapter_config.json", "adapter_model.safetensors",
                    "training_summary.json")), names);
        }
    }

    @Test
    void aJobInterruptedByARestartResumesFromItsCheckpointInTheNextWorker() throws Exception {
        Path data = tmp.resolve("data");
        String id;
        try (TrainerWorker first = TrainerWorker.start("127.0.0.1", 0, data, TOKEN)) {
            id = JSON.readTree(call(first, "POST", "/jobs", spec(150).toString(), TOKEN).body()).get("id").asText();
            JsonNode s = waitFor(first, id, n -> n.path("progress").path("step").asInt() >= 12);
            assertEquals("RUNNING", s.get("status").asText(), s.toString());
        }
        JsonNode onDisk = JSON.readTree(data.resolve("jobs").resolve(id).resolve("status.json").toFile());
        assertEquals("RUNNING", onDisk.get("status").asText(), "a stopped worker leaves its job to be resumed");

        try (TrainerWorker second = TrainerWorker.start("127.0.0.1", 0, data, TOKEN)) {
            assertTrue(status(second, id).path("progress").path("step").asInt() >= 1,
                    "the last progress survives the restart");
            JsonNode s = waitFor(second, id, n -> n.get("status").asText().equals("SUCCEEDED")
                    || n.get("status").asText().equals("FAILED"));
            assertEquals("SUCCEEDED", s.get("status").asText(), s.toString());
            JsonNode summary = JSON.readTree(
                    Files.readString(data.resolve("jobs").resolve(id).resolve("adapter/training_summary.json")));
            System.out.println("worker restart: resumed from step " + summary.get("resumed_from_step")
                    + ", finished " + summary.get("steps") + " steps");
            assertTrue(summary.get("resumed_from_step").asInt() >= 10, summary.toString());
            assertEquals(150, summary.get("steps").asInt());
            assertEquals("sha256:test", summary.get("dataset_hash").asText());
        }
    }
}

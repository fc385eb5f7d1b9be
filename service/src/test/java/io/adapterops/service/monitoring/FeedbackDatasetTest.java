package io.adapterops.service.monitoring;

import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.DatasetUploading;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.training.TrainingJob;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feedback as training data on a route that opts in: up-rated answers join an SFT dataset as new rows,
 * an up- and a down-rated answer to one prompt join a preference dataset as a DPO pair, each as a new
 * dataset version whose audit event counts what was used and what could not be; a route that did not
 * opt in adds nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedbackDatasetTest {
    private static final String SFT_ROUTE = Api.unique("fb-sft");
    private static final String DPO_ROUTE = Api.unique("fb-dpo");

    private TestServer server;
    private FeedbackDataset feedback;
    private DataSource ds;

    @BeforeAll
    void start(@TempDir Path dir) {
        Map<String, Object> props = TestDatabases.h2(dir);
        for (String job : List.of("monitor", "rollout", "canary-analysis", "routine-retraining")) {
            props.put("adapterops.scheduler.jobs." + job + ".enabled", false);
        }
        props.put("adapterops.monitoring.feedback-data-routes", List.of(SFT_ROUTE, DPO_ROUTE));
        server = TestServer.start(props);
        feedback = server.context().getBean(FeedbackDataset.class);
        ds = DelegatingDataSource.unwrapDataSource(server.context().getBean(DataSource.class));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void upRatedAnswersBecomeSftRowsOfANewDatasetVersionAndEveryOtherRatingIsCounted() throws Exception {
        TrainingJob source = sourceOn(dataset("ALPACA", "datasets/it-helpdesk-sft.jsonl"), TrainingJob.Objective.SFT);
        rated(SFT_ROUTE, "How do I map a network drive?", "Open Explorer, This PC, Map network drive.", "up", true);
        rated(SFT_ROUTE, "How do I map a network drive?", "No idea.", "down", true);
        rated(SFT_ROUTE, "Where is the VPN client?", "Install it from the Software Center.", "5", true);
        rated(SFT_ROUTE, "Printer is jammed.", "Open tray 2 and pull the sheet out gently.", "3", true);
        rated(SFT_ROUTE, "Unlogged prompt", "Unlogged answer", "up", false);

        FeedbackDataset.Appended appended = feedback.append(SFT_ROUTE, source, "monitor").orElseThrow();

        assertEquals(14, appended.version().rowCount(), appended::toString);
        String rows = Files.readString(Path.of(appended.version().path()));
        assertTrue(rows.contains("{\"from\":\"human\",\"value\":\"How do I map a network drive?\"},{\"from\":\"gpt\","
                + "\"value\":\"Open Explorer, This PC, Map network drive.\"}"), rows);
        assertTrue(rows.contains("Install it from the Software Center.") && !rows.contains("No idea.")
                && !rows.contains("Unlogged answer"), rows);
        assertTrue(appended.summary().contains("5 rated answer(s): 2 SFT pair(s) from up-rated answers (1 down-rated "
                + "answer(s) unused: an SFT dataset takes no rejected answers), 1 neutral, 1 without a logged prompt "
                + "(not sampled); 12 rows of sha256:"), appended.summary());
        assertTrue(appended.summary().endsWith(" + 2 from feedback = 14, 14 after cleaning"), appended.summary());
        String audited = auditReason(source, "dataset.version-created");
        assertTrue(audited.contains("2 SFT pair(s)") && audited.contains("1 neutral"), audited);
    }

    @Test
    void anUpAndADownRatedAnswerToOnePromptBecomeADpoPair() throws Exception {
        TrainingJob source = sourceOn(dataset("PREFERENCE", "datasets/it-helpdesk-preference.jsonl"),
                TrainingJob.Objective.DPO);
        rated(DPO_ROUTE, "Can I install games on my laptop?", "No, only approved software from the Software Center.",
                "up", true);
        rated(DPO_ROUTE, "Can I install games on my laptop?", "Sure, go ahead.", "down", true);
        rated(DPO_ROUTE, "Who resets my badge?", "Security at the front desk.", "up", true);

        FeedbackDataset.Appended appended = feedback.append(DPO_ROUTE, source, "monitor").orElseThrow();

        String rows = Files.readString(Path.of(appended.version().path()));
        assertTrue(rows.contains("\"value\":\"Can I install games on my laptop?\"}],\"chosen\":{\"from\":\"gpt\","
                + "\"value\":\"No, only approved software from the Software Center.\"},\"rejected\":{\"from\":\"gpt\","
                + "\"value\":\"Sure, go ahead.\"}"), rows);
        assertTrue(!rows.contains("Security at the front desk."), rows);
        assertTrue(appended.summary().endsWith(" + 1 from feedback = 13, 13 after cleaning"), appended.summary());
        assertTrue(appended.summary().contains("3 rated answer(s): 1 DPO pair(s) from 2 up- and 1 down-rated answers "
                + "(1 without a counterpart on the same prompt)"), appended.summary());
    }

    @Test
    void aRouteThatDidNotOptInAddsNothing() throws Exception {
        TrainingJob source = sourceOn(dataset("ALPACA", "datasets/it-helpdesk-sft.jsonl"), TrainingJob.Objective.SFT);
        String route = Api.unique("fb-off");
        rated(route, "How do I map a network drive?", "Open Explorer.", "up", true);
        assertTrue(feedback.append(route, source, "monitor").isEmpty());
    }

    private String auditReason(TrainingJob source, String action) {
        String name = server.context().getBean(DatasetRepository.class).findById(source.datasetId()).orElseThrow().name();
        List<?> items = (List<?>) expect(200, server.get("/api/v1/audit?size=100&subject=dataset:" + name,
                TestServer.ADMIN_TOKEN)).get("items");
        return items.stream().map(e -> (Map<?, ?>) e).filter(e -> action.equals(e.get("action")))
                .map(e -> (String) e.get("reason")).reduce((a, b) -> b).orElseThrow();
    }

    /** A dataset of the first twelve rows of a shipped file; returns its id. */
    private long dataset(String format, String resource) throws Exception {
        String name = Api.unique("fb-data");
        expect(201, server.post("/api/v1/datasets", TestServer.ADMIN_TOKEN, server.json(Map.of("name", name,
                "format", format))));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            String rows = String.join("\n", new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().limit(12)
                    .toList()) + "\n";
            DatasetUploading.uploaded(server, TestServer.ADMIN_TOKEN, name, rows);
        }
        return server.context().getBean(DatasetRepository.class).findByName(name).orElseThrow().id();
    }

    /** The champion's training job as the launcher sees it: only its dataset and objective matter here. */
    private static TrainingJob sourceOn(long datasetId, TrainingJob.Objective objective) {
        Instant now = Instant.now();
        return new TrainingJob(1L, "fb-lora", Api.BASE, datasetId, null, objective, "{}",
                TrainingJob.JobStatus.SUCCEEDED, null, null, 1, "test", now, now, 0L);
    }

    private void rated(String route, String prompt, String answer, String rating, boolean sampled) throws Exception {
        String id = Api.unique("fb-req");
        Timestamp at = Timestamp.from(Instant.now());
        try (Connection c = ds.getConnection();
             PreparedStatement req = c.prepareStatement("INSERT INTO inference_request (id, route, adapter, version, "
                     + "arm, endpoint, caller, outcome, finish_reason, prompt_tokens, completion_tokens, latency_ms, "
                     + "ttft_ms, refusal, sampled, prompt, response, created_at) VALUES (?, ?, 'fb-lora', 1, "
                     + "'champion', 'chat', 'test', 'ok', 'stop', 12, 20, 120, 30, FALSE, ?, ?, ?, ?)");
             PreparedStatement fb = c.prepareStatement("INSERT INTO inference_feedback (request_id, rating, caller, "
                     + "created_at) VALUES (?, ?, 'test', ?)")) {
            req.setString(1, id);
            req.setString(2, route);
            req.setBoolean(3, sampled);
            req.setString(4, sampled ? "user: " + prompt : null);
            req.setString(5, sampled ? answer : null);
            req.setTimestamp(6, at);
            req.executeUpdate();
            fb.setString(1, id);
            fb.setString(2, rating);
            fb.setTimestamp(3, at);
            fb.executeUpdate();
        }
    }
}

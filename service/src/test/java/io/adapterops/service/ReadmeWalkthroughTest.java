package io.adapterops.service;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the README's curl walk-through, as written, against a real service. */
class ReadmeWalkthroughTest {

    /** The first bash block after a README heading. */
    static String block(String heading) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf(heading);
        int start = readme.indexOf("```bash\n", section) + "```bash\n".length();
        int end = readme.indexOf("```", start);
        assertTrue(section > 0 && start > section && end > start, "README has a bash block under " + heading);
        return readme.substring(start, end);
    }

    /** The walk-through, training and serving sections, as one script; AO and TOKEN come from the test. */
    static String walkthrough() throws Exception {
        String block = block("## Walk-through");
        assertTrue(block.startsWith("export AO="), "the block starts by setting AO and TOKEN");
        return block.substring(block.indexOf('\n') + 1) + block("## Train, evaluate, promote") + block("## Serving");
    }

    @Test
    void theReadmeWalkthroughWorksAsWritten(@TempDir Path dir) throws Exception {
        Map<String, Object> props = new java.util.HashMap<>(TestDatabases.h2(dir));
        props.put("adapterops.evaluation.max-new-tokens", 4);
        try (TestServer server = TestServer.start(props)) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-c", walkthrough()).directory(Path.of("..").toFile());
            pb.environment().put("AO", "http://127.0.0.1:" + server.context()
                    .getBean(io.micronaut.runtime.server.EmbeddedServer.class).getPort());
            pb.environment().put("TOKEN", TestServer.ADMIN_TOKEN);
            pb.redirectErrorStream(true);
            Process p = pb.start();
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "walk-through finished");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);

            assertTrue(out.contains("\"status\":403"), "Olivia's own approval is refused:\n" + out);
            assertTrue(out.contains("\"state\":\"ROLLED_BACK\""), out);
            Map<?, ?> champion = (Map<?, ?>) expect(200, server.get("/api/v1/routes/support-bot",
                    TestServer.ADMIN_TOKEN)).get("champion");
            assertEquals("helpdesk-lora", champion.get("adapter"));
            assertEquals(1, ((Number) champion.get("version")).intValue());
            assertEquals("ROLLED_BACK", expect(200, server.get(Api.path("helpdesk-lora", 2), TestServer.ADMIN_TOKEN))
                    .get("state"));
            assertTrue(out.contains("\"action\":\"version.rollback\""), "the audit shows the rollback:\n" + out);

            assertTrue(out.matches("(?s).*event: ?progress.*event: ?end.*"), "training progress streamed:\n" + out);
            Reply trained = expect(200, server.get(Api.path("helpdesk-sft", 1), TestServer.ADMIN_TOKEN));
            assertEquals(1L, ((Number) trained.get("trainingJobId")).longValue());
            assertTrue(List.of("EVALUATED", "REJECTED").contains(trained.get("state")), trained::toString);

            assertTrue(out.contains("x-adapterops-arm: champion"), "the answer names its arm:\n" + out);
            assertTrue(out.contains("\"object\":\"chat.completion\""), out);
            assertTrue(out.contains("data: [DONE]"), "the stream ends with [DONE]:\n" + out);
            assertTrue(out.contains("\"object\":\"feedback\",\"request_id\":\"chatcmpl-"), out);
            assertTrue(out.matches("(?s).*adapterops_feedback_total\\{[^}]*rating=\"up\"[^}]*} 1\\.0.*"),
                    "the feedback is counted:\n" + out);
        }
    }
}

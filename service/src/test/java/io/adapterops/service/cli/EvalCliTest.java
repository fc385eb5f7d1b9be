package io.adapterops.service.cli;

import io.adapterops.llm.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCliTest {
    @Test
    void printsEachMetricOfEachSuiteWithItsInterval(@TempDir Path dir) throws Exception {
        Path model = TinyModels.write(dir.resolve("tiny"), TinyModels.llama(), 3);
        Path suite = dir.resolve("mini.jsonl");
        Files.writeString(suite, """
                {"suite": {"name": "mini", "kind": "canary", "route": "support-bot"}}
                {"id": "c1", "lang": "en", "prompt": "How do I reset my password?", "references": ["Use the portal."]}
                {"id": "c2", "lang": "en", "prompt": "Support hours?", "references": ["Nine to six."]}
                """);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        EvalCli.run(EvalCli.Args.parse(new String[] {"--model", model.toString(), "--suite", suite.toString(),
                "--max-new-tokens", "4"}), new PrintStream(buffer, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        String table = buffer.toString(StandardCharsets.UTF_8);
        String shown = progress.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("suite 1/1 mini: 2 cases\n"), shown);
        assertTrue(shown.contains("suite 1/1 mini: case 1/2 (") && shown.contains("suite 1/1 mini: case 2/2 ("), shown);
        assertTrue(table.lines().findFirst().orElseThrow().startsWith("suite"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("mini") && l.contains("rougeL") && l.contains("[")), table);
    }

    @Test
    void missingOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EvalCli.Args.parse(new String[] {"--suite", "red-team"}));
        assertTrue(e.getMessage().contains("--model"));
        assertThrows(IllegalArgumentException.class, () -> EvalCli.Args.parse(new String[] {"--bogus", "x"}));
    }
}

package io.adapterops.service.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./adapterops demo} end to end, as a newcomer runs it, with its final state asserted. */
class DemoTest {

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void theDemoRunsTheWholeLifecycleAndEndsRolledBackWithARetrainedCandidate(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        Map<String, Object> end = DemoCli.run(dir.resolve("demo-data"), out);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertEquals(1, end.get("champion"), printed);
        assertEquals("ROLLED_BACK", end.get("rolledBack"), printed);
        assertEquals(3, end.get("candidate"), printed);
        assertEquals("REGISTERED", end.get("candidateState"), printed);
        assertTrue(printed.contains("olivia may not approve: ") && printed.contains("needs the role approver"), printed);
        assertTrue(printed.matches("(?s).*satisfaction of support-bot fell from 0\\.\\d+ .* retraining fired.*"), printed);
        assertTrue(printed.contains("== 8. Roll back version 2 in one call"), printed);
    }
}

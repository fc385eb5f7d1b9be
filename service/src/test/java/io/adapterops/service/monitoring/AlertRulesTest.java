package io.adapterops.service.monitoring;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules as Prometheus reads them: {@code promtool check rules} and the rules' unit tests
 * ({@code promtool test rules}). {@code .ci/run} installs Debian's {@code prometheus} for promtool.
 */
class AlertRulesTest {
    static final Path RULES = Path.of("..", "docker", "prometheus");

    @Test
    void theAlertRulesParse() throws Exception {
        String out = promtool("check", "rules", "alerts.yml");
        assertTrue(out.contains("SUCCESS: 6 rules found"), out);
    }

    @Test
    void theAlertRulesFireOnTheRetrainingConditionsAndNotInsideTheTolerance() throws Exception {
        String out = promtool("test", "rules", "alerts-test.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    private static String promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}

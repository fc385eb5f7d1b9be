package io.adapterops.service.deploy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment files as their tools read them: {@code docker-compose config} validates the compose
 * file (every build path and mounted file must exist), {@code promtool check config} the Prometheus
 * configuration with its rule file. No Docker engine is needed. {@code .ci/run} installs both tools.
 */
class ComposeFileTest {
    private static final Path DOCKER = Path.of("..", "docker");

    @Test
    void theComposeFileIsValidAndNamesEveryPieceOfTheStack() throws Exception {
        String services = run(Map.of("POSTGRES_PASSWORD", "p", "ADAPTEROPS_ADMIN_TOKEN", "t",
                "ADAPTEROPS_WORKER_TOKEN", "w", "GRAFANA_ADMIN_PASSWORD", "g"),
                "docker-compose", "-f", "docker-compose.yml", "config", "--services");
        assertEquals(List.of("grafana", "jaeger", "mlflow", "otel-collector", "postgres", "prometheus", "service",
                "trainer"), services.lines().sorted().toList());
    }

    @Test
    void aMissingSecretIsRefusedByName() throws Exception {
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config", "-q")
                .directory(DOCKER.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.exitValue() != 0 && out.contains("set POSTGRES_PASSWORD"), out);
    }

    @Test
    void thePrometheusConfigurationAndItsRulesParse() throws Exception {
        String out = run(Map.of(), "promtool", "check", "config", "prometheus/prometheus.yml");
        assertTrue(out.contains("SUCCESS: 6 rules found"), out);
    }

    private static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(DOCKER.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}

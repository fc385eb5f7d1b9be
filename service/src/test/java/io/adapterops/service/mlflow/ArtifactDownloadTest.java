package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.MlflowGateway.CreatedRun;
import io.adapterops.service.support.Api;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.adapterops.service.mlflow.MlflowTestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Run artifacts come back through the artifact proxy, into the target folder and nowhere else. */
class ArtifactDownloadTest {
    /** An adapter folder as the trainer writes it, with a nested folder. */
    private static final Map<String, byte[]> ADAPTER = new LinkedHashMap<>();

    static {
        ADAPTER.put("adapter_config.json", "{\"r\":8,\"lora_alpha\":16}".getBytes(StandardCharsets.UTF_8));
        ADAPTER.put("adapter_model.safetensors", randomBytes(70_000));
        ADAPTER.put("tokenizer/tokenizer.json", randomBytes(3_000));
        ADAPTER.put("tokenizer/special tokens.txt", new byte[0]);
    }

    @Test
    void downloadingAFolderReproducesEveryFileByteIdentically(@TempDir Path dir) throws IOException {
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            MlflowGateway gateway = MlflowTestSupport.gateway(mlflow, Long.MAX_VALUE, 1024);
            CreatedRun run = runWithAdapter(gateway, dir);
            Path target = dir.resolve("downloaded");

            List<Path> written = gateway.downloadArtifacts(run.runId(), "adapter", target);

            assertEquals(ADAPTER.size(), written.size(), written::toString);
            for (Map.Entry<String, byte[]> file : ADAPTER.entrySet()) {
                assertArrayEquals(file.getValue(), Files.readAllBytes(target.resolve(file.getKey())), file.getKey());
            }
            try (Stream<Path> all = Files.walk(target)) {
                assertEquals(ADAPTER.size(), all.filter(Files::isRegularFile).count(), "no stray or .part files");
            }
        }
    }

    @Test
    void aListedNameThatWouldEscapeTheTargetIsRefused(@TempDir Path dir) throws IOException {
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            MlflowGateway gateway = MlflowTestSupport.gateway(mlflow, Long.MAX_VALUE, 1024);
            CreatedRun run = runWithAdapter(gateway, dir);
            mlflow.addListingEntry(MlflowGateway.proxiedPath(run.artifactUri()) + "/adapter", "../outside.bin");
            Path target = dir.resolve("downloaded");

            MlflowCallException e = assertThrows(MlflowCallException.class,
                    () -> gateway.downloadArtifacts(run.runId(), "adapter", target));

            assertTrue(e.getMessage().contains("'adapter/../outside.bin'")
                    && e.getMessage().contains("would be written outside"), e.getMessage());
            assertTrue(mlflow.requests().stream().noneMatch(r -> r.contains("outside.bin")), "nothing was fetched for it");
            assertFalse(e.retryable(), "a hostile listing does not get better by trying again");
            assertFalse(Files.exists(dir.resolve("outside.bin")));
        }
    }

    @Test
    void aMissingArtifactIsNamedInTheError(@TempDir Path dir) throws IOException {
        try (MlflowStandIn mlflow = MlflowStandIn.start()) {
            MlflowGateway gateway = MlflowTestSupport.gateway(mlflow, Long.MAX_VALUE, 1024);
            CreatedRun run = runWithAdapter(gateway, dir);
            Path target = dir.resolve("downloaded");

            MlflowCallException e = assertThrows(MlflowCallException.class,
                    () -> gateway.downloadArtifacts(run.runId(), "adapter/missing.bin", target));

            assertEquals("RESOURCE_DOES_NOT_EXIST", e.errorCode());
            assertTrue(e.getMessage().startsWith("artifact 'adapter/missing.bin' of MLflow run " + run.runId()
                    + " does not exist"), e.getMessage());
            assertFalse(Files.exists(target.resolve("missing.bin")) || Files.exists(target.resolve("missing.bin.part")));
        }
    }

    private static CreatedRun runWithAdapter(MlflowGateway gateway, Path dir) throws IOException {
        CreatedRun run = gateway.createRun(gateway.experimentId(Api.unique("helpdesk")), "job-1",
                System.currentTimeMillis(), Map.of());
        for (Map.Entry<String, byte[]> file : ADAPTER.entrySet()) {
            Path local = dir.resolve("upload").resolve(file.getKey());
            Files.createDirectories(local.getParent());
            gateway.uploadArtifact(run.artifactUri(), "adapter/" + file.getKey(), Files.write(local, file.getValue()));
        }
        return run;
    }
}

package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.util.List;
import java.util.Map;

/**
 * The JSON payloads of outbox rows, one record per {@link OutboxKind}. Run ids are AdapterOps' own.
 * Serde leaves empty collections out of the JSON, so they come back as null and are restored here.
 */
public final class OutboxPayloads {
    private OutboxPayloads() {
    }

    @Serdeable
    public record CreateRun(long runId, String uid, String experiment, String name, long startTime,
                            @Nullable Map<String, String> tags) {
        public CreateRun {
            tags = tags == null ? Map.of() : tags;
        }
    }

    @Serdeable
    public record LogBatch(long runId, @Nullable List<MetricPoint> metrics, @Nullable Map<String, String> params,
                           @Nullable Map<String, String> tags) {
        public LogBatch {
            metrics = metrics == null ? List.of() : metrics;
            params = params == null ? Map.of() : params;
            tags = tags == null ? Map.of() : tags;
        }
    }

    /** Files relative to the run's artifact folder in the data dir. */
    @Serdeable
    public record UploadArtifacts(long runId, @Nullable List<String> files) {
        public UploadArtifacts {
            files = files == null ? List.of() : files;
        }
    }

    @Serdeable
    public record EndRun(long runId, String status, long endTime) {
    }

    /** With a run, the source is that run's {@code adapter} artifact; without, {@code source} as given. */
    @Serdeable
    public record CreateModelVersion(String adapter, int number, @Nullable Long runId, String source,
                                     @Nullable Map<String, String> tags, @Nullable String description) {
        public CreateModelVersion {
            tags = tags == null ? Map.of() : tags;
        }
    }

    @Serdeable
    public record SetVersionTag(String adapter, int number, String key, String value) {
    }

    @Serdeable
    public record SetAlias(String adapter, String alias, int number) {
    }

    @Serdeable
    public record DeleteAlias(String adapter, String alias) {
    }
}

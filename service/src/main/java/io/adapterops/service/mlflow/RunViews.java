package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the runs API returns. */
public final class RunViews {
    private RunViews() {
    }

    @Serdeable
    public record RunView(long id, String experiment, String name, @Nullable Long trainingJobId, String status,
                          Instant startTime, @Nullable Instant endTime, @Nullable String mlflowRunId,
                          @Nullable String mlflowExperimentId) {
        static RunView of(TrackingRun r) {
            return new RunView(r.id(), r.experiment(), r.name(), r.trainingJobId(), r.status().name(), r.startTime(),
                    r.endTime(), r.mlflowRunId(), r.mlflowExperimentId());
        }
    }

    @Serdeable
    public record MetricView(String key, double value, long step, long timestamp) {
        static MetricView of(TrackingMetric m) {
            return new MetricView(m.name(), m.val(), m.step(), m.loggedAt());
        }
    }

    @Serdeable
    public record ArtifactView(String path, long size) {
    }

    /** A run with its parameters, tags, the last value of each metric and its artifacts. */
    @Serdeable
    public record RunDetail(RunView run, Map<String, String> params, Map<String, String> tags,
                            Map<String, MetricView> latestMetrics, List<ArtifactView> artifacts) {
    }

    @Serdeable
    public record MlflowStatusView(String mode, @Nullable String trackingUri, String state, @Nullable String lastError,
                                   @Nullable Instant lastErrorAt, @Nullable Instant lastSuccessAt, long pending,
                                   long failed, @Nullable Instant oldestPendingAt) {
    }
}

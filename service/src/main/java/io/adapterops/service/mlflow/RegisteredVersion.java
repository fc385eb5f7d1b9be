package io.adapterops.service.mlflow;

import io.adapterops.service.registry.VersionState;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/**
 * An adapter version as the model registry should show it. {@code championSeq} / {@code canarySeq}
 * order when versions of the adapter last became champion / challenger; the aliases follow from them.
 * {@code mlflowVersion} is the number MLflow gave it (it need not equal {@code number}).
 */
@MappedEntity("mlflow_model_version")
public record RegisteredVersion(
        @Id @GeneratedValue @Nullable Long id,
        String adapter,
        int number,
        VersionState state,
        @Nullable String gate,
        @Nullable Long championSeq,
        @Nullable Long canarySeq,
        String source,
        @Nullable Long trackingRunId,
        @Nullable String mlflowVersion) {

    RegisteredVersion moved(VersionState to, @Nullable String gateResult, @Nullable Long champion, @Nullable Long canary) {
        return new RegisteredVersion(id, adapter, number, to, gateResult, champion, canary, source, trackingRunId,
                mlflowVersion);
    }
}

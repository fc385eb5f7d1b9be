package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.MlflowGateway.CreatedRun;
import io.adapterops.service.mlflow.OutboxPayloads.CreateModelVersion;
import io.adapterops.service.mlflow.OutboxPayloads.CreateRun;
import io.adapterops.service.mlflow.OutboxPayloads.DeleteAlias;
import io.adapterops.service.mlflow.OutboxPayloads.EndRun;
import io.adapterops.service.mlflow.OutboxPayloads.LogBatch;
import io.adapterops.service.mlflow.OutboxPayloads.SetAlias;
import io.adapterops.service.mlflow.OutboxPayloads.SetVersionTag;
import io.adapterops.service.mlflow.OutboxPayloads.UploadArtifacts;
import io.adapterops.service.registry.VersionRef;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sends one outbox row (or a run of consecutive log-batch rows) to MLflow and records the answer in
 * the transaction that deletes the rows. Exactly-once effect across crashes comes from three rules:
 * a create that may have reached MLflow before (attempts &gt; 0) first looks for what it made, by a
 * tag it set; log-batch carries points with fixed timestamps, which MLflow deduplicates, and params
 * with unchanged values, which MLflow accepts again; every other call overwrites or is a no-op when
 * repeated.
 */
@Singleton
public class OutboxDelivery {
    static final String RUN_UID_TAG = "adapterops.run_uid";
    static final String VERSION_NUMBER_TAG = "adapterops.adapter_version";

    private final MlflowGateway gateway;
    private final MlflowOutbox outbox;
    private final TrackingRunRepository runs;
    private final RegisteredVersionRepository versions;
    private final LocalTrackingStore local;

    public OutboxDelivery(MlflowGateway gateway, MlflowOutbox outbox, TrackingRunRepository runs,
                          RegisteredVersionRepository versions, LocalTrackingStore local) {
        this.gateway = gateway;
        this.outbox = outbox;
        this.runs = runs;
        this.versions = versions;
        this.local = local;
    }

    /** Thrown when a row depends on another stream that has not reached MLflow yet. */
    static class NotReady extends RuntimeException {
        NotReady(String message) {
            super(message);
        }
    }

    public void deliver(OutboxEntry row) {
        switch (row.kind()) {
            case CREATE_RUN -> createRun(row);
            case LOG_BATCH -> logBatch(row);
            case UPLOAD_ARTIFACTS -> uploadArtifacts(row);
            case END_RUN -> endRun(row);
            case CREATE_MODEL_VERSION -> createModelVersion(row);
            case SET_VERSION_TAG -> setVersionTag(row);
            case SET_ALIAS -> setAlias(row);
            case DELETE_ALIAS -> deleteAlias(row);
        }
    }

    private void createRun(OutboxEntry row) {
        CreateRun p = outbox.payload(row, CreateRun.class);
        String experimentId = gateway.experimentId(p.experiment());
        Optional<CreatedRun> earlier = row.attempts() > 0
                ? gateway.findRun(experimentId, RUN_UID_TAG, p.uid()) : Optional.empty();
        CreatedRun run = earlier.orElseGet(() -> gateway.createRun(experimentId, p.name(), p.startTime(), p.tags()));
        outbox.complete(List.of(row.id()),
                () -> runs.linkMlflow(p.runId(), experimentId, run.runId(), run.artifactUri()));
    }

    /** Consecutive log-batch rows of one run go out as one request, within MLflow's batch limits. */
    private void logBatch(OutboxEntry head) {
        List<Long> ids = new ArrayList<>();
        List<MetricPoint> metrics = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> tags = new LinkedHashMap<>();
        LogBatch first = outbox.payload(head, LogBatch.class);
        add(head, first, ids, metrics, params, tags);
        for (OutboxEntry next : outbox.following(head, 200)) {
            if (next.kind() != OutboxKind.LOG_BATCH) {
                break;
            }
            LogBatch p = outbox.payload(next, LogBatch.class);
            int m = metrics.size() + p.metrics().size();
            int pt = params.size() + tags.size() + p.params().size() + p.tags().size();
            if (m > RunTracker.MAX_METRICS_PER_BATCH || pt > RunTracker.MAX_PARAMS_TAGS_PER_BATCH
                    || m + pt > RunTracker.MAX_METRICS_PER_BATCH) {
                break;
            }
            add(next, p, ids, metrics, params, tags);
        }
        gateway.logBatch(linkedRun(first.runId()).mlflowRunId(), metrics, params, tags);
        outbox.complete(ids, () -> { });
    }

    private static void add(OutboxEntry row, LogBatch p, List<Long> ids, List<MetricPoint> metrics,
                            Map<String, String> params, Map<String, String> tags) {
        ids.add(row.id());
        metrics.addAll(p.metrics());
        params.putAll(p.params());
        tags.putAll(p.tags());
    }

    private void uploadArtifacts(OutboxEntry row) {
        UploadArtifacts p = outbox.payload(row, UploadArtifacts.class);
        TrackingRun run = linkedRun(p.runId());
        Path dir = local.artifactDir(p.runId());
        for (String file : p.files()) {
            gateway.uploadArtifact(run.mlflowArtifactUri(), file, dir.resolve(file));
        }
        outbox.complete(List.of(row.id()), () -> { });
    }

    private void endRun(OutboxEntry row) {
        EndRun p = outbox.payload(row, EndRun.class);
        gateway.endRun(linkedRun(p.runId()).mlflowRunId(), p.status(), p.endTime());
        outbox.complete(List.of(row.id()), () -> { });
    }

    private void createModelVersion(OutboxEntry row) {
        CreateModelVersion p = outbox.payload(row, CreateModelVersion.class);
        String source = p.source();
        String runId = null;
        if (p.runId() != null) {
            if (outbox.hasPending(MlflowOutbox.runStream(p.runId()))) {
                throw new NotReady("waiting for run " + p.runId() + " to reach MLflow before registering "
                        + VersionRef.subject(p.adapter(), p.number()));
            }
            TrackingRun run = linkedRun(p.runId());
            source = run.mlflowArtifactUri() + "/adapter";
            runId = run.mlflowRunId();
        }
        gateway.ensureRegisteredModel(p.adapter());
        String number = String.valueOf(p.number());
        Optional<String> earlier = row.attempts() > 0
                ? gateway.findModelVersion(p.adapter(), VERSION_NUMBER_TAG, number) : Optional.empty();
        String finalSource = source;
        String finalRunId = runId;
        String version = earlier.orElseGet(() -> gateway.createModelVersion(p.adapter(), finalSource, finalRunId,
                p.tags(), p.description()));
        outbox.complete(List.of(row.id()), () -> versions.linkMlflow(p.adapter(), p.number(), version));
    }

    private void setVersionTag(OutboxEntry row) {
        SetVersionTag p = outbox.payload(row, SetVersionTag.class);
        gateway.setModelVersionTag(p.adapter(), mlflowVersion(p.adapter(), p.number()), p.key(), p.value());
        outbox.complete(List.of(row.id()), () -> { });
    }

    private void setAlias(OutboxEntry row) {
        SetAlias p = outbox.payload(row, SetAlias.class);
        gateway.setAlias(p.adapter(), p.alias(), mlflowVersion(p.adapter(), p.number()));
        outbox.complete(List.of(row.id()), () -> { });
    }

    private void deleteAlias(OutboxEntry row) {
        DeleteAlias p = outbox.payload(row, DeleteAlias.class);
        gateway.deleteAlias(p.adapter(), p.alias());
        outbox.complete(List.of(row.id()), () -> { });
    }

    private TrackingRun linkedRun(long runId) {
        TrackingRun run = local.run(runId);
        if (run.mlflowRunId() == null) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, 0, null,
                    "run " + runId + " was never created in MLflow (its create failed for good)", null);
        }
        return run;
    }

    private String mlflowVersion(String adapter, int number) {
        return versions.findByAdapterAndNumber(adapter, number).map(RegisteredVersion::mlflowVersion)
                .orElseThrow(() -> new MlflowCallException(MlflowCallException.Kind.REJECTED, 0, null,
                        VersionRef.subject(adapter, number) + " was never created in the MLflow registry", null));
    }
}

package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.OutboxPayloads.CreateModelVersion;
import io.adapterops.service.mlflow.OutboxPayloads.DeleteAlias;
import io.adapterops.service.mlflow.OutboxPayloads.SetAlias;
import io.adapterops.service.mlflow.OutboxPayloads.SetVersionTag;
import io.adapterops.service.registry.Action;
import io.adapterops.service.registry.VersionMoved;
import io.adapterops.service.registry.VersionRegistered;
import io.adapterops.service.registry.VersionState;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.annotation.Transactional;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Keeps the model registry in step with the lifecycle. The registry publishes its events inside the
 * move's transaction and these listeners run synchronously, so the mirror rows and the queued MLflow
 * writes commit or roll back with the move itself.
 *
 * <p>One registered model per adapter; each version is a model version tagged with its lifecycle
 * state and gate result. Aliases are derived, not pushed: {@code champion} is the adapter's version
 * that most recently became champion and still is; {@code challenger} the one most recently put on
 * canary that is still on canary or awaiting approval. Canary sets challenger, approval moves
 * champion (and clears challenger), rollback moves champion back to the restored version.
 */
@Singleton
public class RegistryMirror {
    public static final String CHAMPION = "champion";
    public static final String CHALLENGER = "challenger";
    static final String STATE_TAG = "adapterops.state";
    static final String GATE_TAG = "adapterops.gate";

    private final RegisteredVersionRepository versions;
    private final ModelAliasRepository aliases;
    private final TrackingRunRepository runs;
    private final RunTracker tracker;
    private final MlflowOutbox outbox;
    private final MlflowConfig config;

    public RegistryMirror(RegisteredVersionRepository versions, ModelAliasRepository aliases,
                          TrackingRunRepository runs, RunTracker tracker, MlflowOutbox outbox, MlflowConfig config) {
        this.versions = versions;
        this.aliases = aliases;
        this.runs = runs;
        this.tracker = tracker;
        this.outbox = outbox;
        this.config = config;
    }

    @EventListener
    @Transactional
    void onRegistered(VersionRegistered e) {
        registered(e.adapter(), e.version(), e.artifactUri(), e.trainingJobId(), e.description());
    }

    @EventListener
    @Transactional
    void onMoved(VersionMoved e) {
        RegisteredVersion v = versions.findByAdapterAndNumber(e.adapter(), e.version())
                .orElseGet(() -> registered(e.adapter(), e.version(), e.artifactUri(), null, null));
        String gate = e.action() == Action.EVALUATE ? (e.to() == VersionState.REJECTED ? "failed" : "passed") : v.gate();
        Long champion = v.championSeq();
        Long canary = v.canarySeq();
        if (e.to() == VersionState.CHAMPION) {
            champion = versions.lastSeq(e.adapter()) + 1;
        } else if (e.to() == VersionState.CANARY) {
            canary = versions.lastSeq(e.adapter()) + 1;
        }
        versions.update(v.moved(e.to(), gate, champion, canary));
        String stream = MlflowOutbox.modelStream(e.adapter());
        outbox.enqueue(stream, OutboxKind.SET_VERSION_TAG, new SetVersionTag(e.adapter(), e.version(), STATE_TAG,
                e.to().name()));
        if (e.action() == Action.EVALUATE) {
            outbox.enqueue(stream, OutboxKind.SET_VERSION_TAG, new SetVersionTag(e.adapter(), e.version(), GATE_TAG, gate));
        }
    }

    /**
     * Aliases are settled just before the move commits, when every version it touched has its new
     * state: an approval retires the old champion before it crowns the new one, and following each
     * event as it comes would drop the champion alias in between.
     */
    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.BEFORE_COMMIT)
    void settleAliases(VersionMoved e) {
        List<RegisteredVersion> all = versions.findByAdapter(e.adapter());
        follow(e.adapter(), CHAMPION, newest(all, Set.of(VersionState.CHAMPION), RegisteredVersion::championSeq));
        follow(e.adapter(), CHALLENGER, newest(all, Set.of(VersionState.CANARY, VersionState.PENDING_APPROVAL),
                RegisteredVersion::canarySeq));
    }

    /**
     * Records a new version and queues its model version. Its source is the adapter artifact of the
     * training run; a version registered by hand from a local path gets a registration run that
     * uploads the folder (MLflow refuses local paths as a source unless they lie inside a run).
     */
    private RegisteredVersion registered(String adapter, int number, String artifactUri, @Nullable Long jobId,
                                         @Nullable String description) {
        Long runId = jobId == null ? null : runs.findFirstByTrainingJobIdOrderByIdDesc(jobId).map(TrackingRun::id)
                .orElse(null);
        if (runId == null && config.remote() && isLocal(artifactUri)) {
            runId = registrationRun(adapter, number, artifactUri);
        }
        RegisteredVersion v = versions.save(new RegisteredVersion(null, adapter, number, VersionState.REGISTERED, null,
                null, null, artifactUri, runId, null));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(OutboxDelivery.VERSION_NUMBER_TAG, String.valueOf(number));
        tags.put(STATE_TAG, VersionState.REGISTERED.name());
        tags.put("adapterops.artifact_uri", artifactUri);
        if (jobId != null) {
            tags.put("adapterops.job_id", String.valueOf(jobId));
        }
        outbox.enqueue(MlflowOutbox.modelStream(adapter), OutboxKind.CREATE_MODEL_VERSION,
                new CreateModelVersion(adapter, number, runId, artifactUri, tags, description));
        return v;
    }

    private long registrationRun(String adapter, int number, String artifactUri) {
        long runId = tracker.startRun(adapter, null, "register v" + number, Map.of(
                OutboxDelivery.VERSION_NUMBER_TAG, String.valueOf(number), "adapterops.artifact_uri", artifactUri));
        Path folder = localPath(artifactUri);
        if (folder != null && Files.exists(folder)) {
            tracker.logArtifact(runId, folder, "adapter");
        }
        tracker.endRun(runId, RunStatus.FINISHED);
        return runId;
    }

    private void follow(String adapter, String alias, Optional<RegisteredVersion> target) {
        Optional<ModelAlias> current = aliases.findByAdapterAndAlias(adapter, alias);
        String stream = MlflowOutbox.modelStream(adapter);
        if (target.isEmpty()) {
            current.ifPresent(a -> {
                aliases.delete(a);
                outbox.enqueue(stream, OutboxKind.DELETE_ALIAS, new DeleteAlias(adapter, alias));
            });
            return;
        }
        int number = target.get().number();
        if (current.isPresent() && current.get().number() == number) {
            return;
        }
        current.ifPresentOrElse(a -> aliases.update(new ModelAlias(a.id(), adapter, alias, number)),
                () -> aliases.save(new ModelAlias(null, adapter, alias, number)));
        outbox.enqueue(stream, OutboxKind.SET_ALIAS, new SetAlias(adapter, alias, number));
    }

    private static Optional<RegisteredVersion> newest(List<RegisteredVersion> all, Set<VersionState> states,
                                                      Function<RegisteredVersion, Long> seq) {
        return all.stream().filter(v -> states.contains(v.state()) && seq.apply(v) != null)
                .max(Comparator.comparing(seq));
    }

    private static boolean isLocal(String uri) {
        return localPath(uri) != null;
    }

    /** The local file an artifact URI names (a {@code file:} URI or a plain path), else null. */
    private static @Nullable Path localPath(String uri) {
        try {
            if (uri.startsWith("file:")) {
                return Path.of(new URI(uri));
            }
            return uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") ? null : Path.of(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}

package io.adapterops.service.mlflow;

import io.adapterops.service.storage.DataDir;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs, parameters, tags, metrics and artifacts in the AdapterOps database and data dir. It is the
 * whole tracking store in the embedded default, and AdapterOps' own record (and the artifact staging
 * area for the outbox) when an MLflow server is configured.
 */
@Singleton
public class LocalTrackingStore {
    private final TrackingRunRepository runs;
    private final TrackingParamRepository params;
    private final TrackingTagRepository tags;
    private final TrackingMetricRepository metrics;
    private final TrackingArtifactRepository artifacts;
    private final Path runsDir;

    public LocalTrackingStore(TrackingRunRepository runs, TrackingParamRepository params, TrackingTagRepository tags,
                              TrackingMetricRepository metrics, TrackingArtifactRepository artifacts,
                              DataDir dataDir) {
        this.runs = runs;
        this.params = params;
        this.tags = tags;
        this.metrics = metrics;
        this.artifacts = artifacts;
        this.runsDir = dataDir.resolve("runs");
    }

    @Transactional
    public TrackingRun createRun(String experiment, @Nullable Long trainingJobId, String name, Map<String, String> runTags) {
        String uid = UUID.randomUUID().toString().replace("-", "");
        TrackingRun run = runs.save(new TrackingRun(null, uid, experiment, trainingJobId, name, RunStatus.RUNNING,
                Instant.now(), null, null, null, null));
        setTags(run.id(), runTags);
        return run;
    }

    public TrackingRun run(long runId) {
        return runs.findById(runId).orElseThrow(() -> new IllegalArgumentException("no tracked run " + runId));
    }

    /** Like MLflow: logging a parameter again with the same value is a no-op, with another value an error. */
    @Transactional
    public void logParams(long runId, Map<String, String> values) {
        values.forEach((name, value) -> params.findByRunIdAndName(runId, name).ifPresentOrElse(existing -> {
            if (!existing.val().equals(value)) {
                throw new IllegalArgumentException("parameter '" + name + "' of run " + runId + " is already '"
                        + existing.val() + "'; MLflow does not allow changing it to '" + value + "'");
            }
        }, () -> params.save(new TrackingParam(null, runId, name, value))));
    }

    /** Tags overwrite, as in MLflow. */
    private void setTags(long runId, Map<String, String> values) {
        values.forEach((name, value) -> tags.findByRunIdAndName(runId, name).ifPresentOrElse(
                existing -> tags.update(new TrackingTag(existing.id(), runId, name, value)),
                () -> tags.save(new TrackingTag(null, runId, name, value))));
    }

    @Transactional
    public void logMetrics(long runId, List<MetricPoint> points) {
        metrics.saveAll(points.stream()
                .map(p -> new TrackingMetric(null, runId, p.key(), p.value(), p.step(), p.timestamp())).toList());
    }

    /**
     * Copies a file or folder into the run's artifacts under {@code artifactPath}, so the caller may
     * delete its own copy at once; returns the paths of the copied files inside the artifacts.
     */
    @Transactional
    public List<String> copyArtifacts(long runId, Path source, String artifactPath) {
        Path target = artifactDir(runId).resolve(artifactPath).normalize();
        if (!target.startsWith(artifactDir(runId))) {
            throw new IllegalArgumentException("artifact path '" + artifactPath + "' leaves the run's artifacts");
        }
        List<String> copied = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(source) ? Files.walk(source) : Stream.of(source)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Path to = Files.isDirectory(source) ? target.resolve(source.relativize(file).toString()) : target.resolve(file.getFileName().toString());
                Files.createDirectories(to.getParent());
                Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                String path = artifactDir(runId).relativize(to).toString().replace('\\', '/');
                long size = Files.size(to);
                artifacts.findByRunIdAndPath(runId, path).ifPresentOrElse(
                        a -> artifacts.update(new TrackingArtifact(a.id(), runId, path, size)),
                        () -> artifacts.save(new TrackingArtifact(null, runId, path, size)));
                copied.add(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy artifact " + source + " into run " + runId, e);
        }
        return copied;
    }

    @Transactional
    public void finish(long runId, RunStatus status) {
        runs.finish(runId, status.name(), Instant.now());
    }

    public Path artifactDir(long runId) {
        return runsDir.resolve(Long.toString(runId)).resolve("artifacts");
    }
}

package io.adapterops.service.monitoring;

import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.registry.VersionRef;
import io.adapterops.service.training.TrainingJob;
import io.adapterops.service.training.TrainingJobRepository;
import io.adapterops.service.training.TrainingJobs;
import io.adapterops.service.training.TrainingRunner;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the retraining of a route's champion: a new training job with the champion's own training
 * configuration (adapter, base model, objective, hyper-parameters) on the newest version of its
 * dataset. The result goes through the same gate, shadow and canary as any candidate.
 */
@Singleton
public class RetrainingLauncher {
    static final String ACTOR = "monitor";

    private final TrainingJobRepository jobs;
    private final TrainingJobs trainingJobs;
    private final TrainingRunner runner;
    private final DatasetRepository datasets;
    private final JsonMapper json;

    public RetrainingLauncher(TrainingJobRepository jobs, TrainingJobs trainingJobs, TrainingRunner runner,
                              DatasetRepository datasets, JsonMapper json) {
        this.jobs = jobs;
        this.trainingJobs = trainingJobs;
        this.runner = runner;
        this.datasets = datasets;
        this.json = json;
    }

    /** The training job that made the champion; empty when it was registered by hand (nothing to repeat). */
    public Optional<TrainingJob> sourceOf(VersionRef champion) {
        Long jobId = champion.version().trainingJobId();
        return jobId == null ? Optional.empty() : jobs.findById(jobId);
    }

    /** Creates the job (in the caller's transaction) and returns it; {@link #run} queues it after commit. */
    public TrainingJob create(TrainingJob source) {
        String dataset = datasets.findById(source.datasetId()).orElseThrow().name();
        Map<String, Object> hyperparameters;
        try {
            hyperparameters = json.readValue(source.hyperparameters(), Argument.mapOf(String.class, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("stored hyperparameters of training job " + source.id() + " are unreadable", e);
        }
        hyperparameters.remove("stage");
        return trainingJobs.create(source.adapterName(), source.baseModel(), dataset, null, source.objective(),
                hyperparameters, ACTOR);
    }

    public void run(TrainingJob job) {
        runner.submit(job.id());
    }
}

package io.adapterops.service.training;

import io.adapterops.service.audit.AuditLog;
import io.adapterops.service.datasets.Dataset;
import io.adapterops.service.datasets.DatasetFormat;
import io.adapterops.service.datasets.DatasetRepository;
import io.adapterops.service.datasets.DatasetVersion;
import io.adapterops.service.datasets.DatasetVersionRepository;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.training.TrainingJob.JobStatus;
import io.adapterops.service.training.TrainingJob.Objective;
import io.adapterops.service.web.ApiException;
import io.adapterops.trainer.TrainingConfig;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.Sort;
import io.micronaut.json.JsonMapper;
import io.micronaut.data.exceptions.OptimisticLockException;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Accepts training jobs: checks the dataset, base model and hyper-parameters before anything is queued. */
@Singleton
public class TrainingJobs {
    private static final int MAX_CANCEL_ATTEMPTS = 5;

    private final TrainingJobRepository jobs;
    private final DatasetRepository datasets;
    private final DatasetVersionRepository datasetVersions;
    private final ModelStore store;
    private final AuditLog audit;
    private final JsonMapper json;
    private final TransactionOperations<Connection> tx;

    public TrainingJobs(TrainingJobRepository jobs, DatasetRepository datasets,
                        DatasetVersionRepository datasetVersions, ModelStore store, AuditLog audit, JsonMapper json,
                        TransactionOperations<Connection> tx) {
        this.tx = tx;
        this.jobs = jobs;
        this.datasets = datasets;
        this.datasetVersions = datasetVersions;
        this.store = store;
        this.audit = audit;
        this.json = json;
    }

    @Transactional
    public TrainingJob create(String adapter, String baseModel, String datasetName, @Nullable Long datasetVersionId,
                              Objective objective, @Nullable Map<String, Object> hyperparameters, String actor) {
        Dataset dataset = datasets.findByName(datasetName)
                .orElseThrow(() -> ApiException.badField("dataset", "dataset '" + datasetName + "' does not exist"));
        DatasetVersion version = datasetVersionId == null
                ? datasetVersions.findByDatasetId(dataset.id(), Pageable.from(0, 1, Sort.of(Sort.Order.desc("id"))))
                        .getContent().stream().findFirst().orElseThrow(() -> ApiException.badField("dataset",
                                "dataset '" + datasetName + "' has no version yet; upload rows first"))
                : datasetVersions.findById(datasetVersionId).filter(v -> v.datasetId() == dataset.id())
                        .orElseThrow(() -> ApiException.badField("datasetVersionId", "dataset '" + datasetName
                                + "' has no version " + datasetVersionId));
        boolean preference = dataset.format() == DatasetFormat.PREFERENCE;
        if (preference != (objective == Objective.DPO)) {
            throw ApiException.badField("objective", objective + " needs " + (preference ? "an SFT" : "a preference")
                    + " dataset; '" + datasetName + "' is " + dataset.format());
        }
        Map<String, Object> params = new TreeMap<>(hyperparameters == null ? Map.of() : hyperparameters);
        params.put("stage", objective.name().toLowerCase());
        try {
            TrainingConfig.fromMap(params);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("hyperparameters", e.getMessage());
        }
        store.baseModel(baseModel);
        Instant now = Instant.now();
        TrainingJob job = jobs.save(new TrainingJob(null, adapter, baseModel, dataset.id(), version.id(), objective,
                write(params), JobStatus.QUEUED, null, null, null, actor, now, now, null));
        audit.record(actor, "training-job.created", "training-job:" + job.id(), null, JobStatus.QUEUED.name(),
                objective + " " + adapter + " on " + dataset.name() + " " + version.contentHash());
        return job;
    }

    /**
     * Cancels a queued or running job. The runner moves a job QUEUED → RUNNING concurrently; losing
     * that race is no reason to refuse the user, so the cancel re-reads and tries again.
     */
    public TrainingJob cancel(long id, String actor) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.executeWrite(status -> {
                    TrainingJob job = find(id);
                    if (job.status().finished()) {
                        throw ApiException.conflict("job-finished", "training job " + id + " is already "
                                + job.status(), Map.of("currentState", job.status().name()));
                    }
                    TrainingJob cancelled = jobs.update(job.withStatus(JobStatus.CANCELLED, "cancelled by " + actor));
                    audit.record(actor, "training-job.cancelled", "training-job:" + id, job.status().name(),
                            JobStatus.CANCELLED.name(), null);
                    return cancelled;
                });
            } catch (OptimisticLockException e) {
                if (attempt == MAX_CANCEL_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    public TrainingJob find(long id) {
        return jobs.findById(id).orElseThrow(() -> ApiException.notFound("training job", String.valueOf(id)));
    }

    private String write(Map<String, Object> values) {
        try {
            return json.writeValueAsString(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

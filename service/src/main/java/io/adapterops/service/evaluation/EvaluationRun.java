package io.adapterops.service.evaluation;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.Version;

import java.time.Instant;

/** One background evaluation of a version: which suites, how it ended, where the full report is. */
@MappedEntity("evaluation_run")
public record EvaluationRun(
        @Id @GeneratedValue @Nullable Long id,
        long adapterVersionId,
        Status status,
        String suites,
        @Nullable String route,
        @Nullable Boolean gatePassed,
        @Nullable String summary,
        @Nullable String gate,
        @Nullable String reportPath,
        @Nullable String error,
        String createdBy,
        Instant createdAt,
        @Nullable Instant finishedAt,
        @Version @Nullable Long version) {

    public enum Status { RUNNING, SUCCEEDED, FAILED }

    public EvaluationRun succeeded(boolean passed, String summaryJson, String gateJson, String report) {
        return new EvaluationRun(id, adapterVersionId, Status.SUCCEEDED, suites, route, passed, summaryJson, gateJson,
                report, null, createdBy, createdAt, Instant.now(), version);
    }

    public EvaluationRun failed(String why) {
        return new EvaluationRun(id, adapterVersionId, Status.FAILED, suites, route, null, null, null, null, why,
                createdBy, createdAt, Instant.now(), version);
    }
}

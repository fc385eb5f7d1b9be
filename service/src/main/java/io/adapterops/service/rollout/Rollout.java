package io.adapterops.service.rollout;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.Version;

import java.time.Instant;

/**
 * A candidate on its way from retraining to approval on one route. The scheduled steps read and
 * advance this row only, so a rollout survives restarts and moves on whichever replica runs the step;
 * {@code version} makes two replicas acting on one rollout collide instead of both acting.
 */
@MappedEntity("rollout")
public record Rollout(
        @Id @GeneratedValue @Nullable Long id,
        String route,
        @Nullable Long trainingJobId,
        @Nullable Long adapterVersionId,
        @Nullable Long evaluationRunId,
        String reason,
        RolloutStage stage,
        Instant stageSince,
        boolean active,
        @Nullable String detail,
        Instant createdAt,
        Instant updatedAt,
        @Version @Nullable Long version) {

    public static Rollout started(String route, @Nullable Long trainingJobId, @Nullable Long adapterVersionId,
                                  RolloutStage stage, String reason, Instant now) {
        return new Rollout(null, route, trainingJobId, adapterVersionId, null, truncate(reason), stage, now, true, null,
                now, now, null);
    }

    /** Moved to {@code next} now, with what caused it. */
    public Rollout at(RolloutStage next, @Nullable String why, Instant now) {
        return new Rollout(id, route, trainingJobId, adapterVersionId, evaluationRunId, reason, next, now,
                next.active(), truncate(why), createdAt, now, version);
    }

    /** Still in its stage; {@code detail} says what it waits for. */
    public Rollout waiting(String why, Instant now) {
        return new Rollout(id, route, trainingJobId, adapterVersionId, evaluationRunId, reason, stage, stageSince,
                active, truncate(why), createdAt, now, version);
    }

    public Rollout evaluating(long versionId, long runId, String why, Instant now) {
        return new Rollout(id, route, trainingJobId, versionId, runId, reason, RolloutStage.EVALUATING, now, true,
                truncate(why), createdAt, now, version);
    }

    private static String truncate(@Nullable String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 4000);
    }
}

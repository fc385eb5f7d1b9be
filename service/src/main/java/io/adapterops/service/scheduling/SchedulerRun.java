package io.adapterops.service.scheduling;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** One execution of a scheduled job: which fire time it served, on which replica, and how it ended. */
@MappedEntity("scheduler_run")
public record SchedulerRun(
        @Id @GeneratedValue @Nullable Long id,
        String job,
        Instant fireTime,
        String instance,
        Instant startedAt,
        @Nullable Instant finishedAt,
        Outcome outcome,
        @Nullable String detail) {

    public enum Outcome { RUNNING, SUCCEEDED, FAILED }

    SchedulerRun ended(Outcome outcome, @Nullable String detail) {
        return new SchedulerRun(id, job, fireTime, instance, startedAt, Instant.now(), outcome, detail);
    }
}

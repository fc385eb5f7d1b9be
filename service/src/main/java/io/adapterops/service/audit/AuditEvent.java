package io.adapterops.service.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;

/** One thing that happened: who did what to which subject, the state move if any, and why. */
@Serdeable
@MappedEntity("audit_event")
public record AuditEvent(
        @Id @GeneratedValue @Nullable Long id,
        String actor,
        String action,
        String subject,
        @Nullable String fromState,
        @Nullable String toState,
        @Nullable String reason,
        Instant at) {
}

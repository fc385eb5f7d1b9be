package io.adapterops.service.audit;

import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.Sort;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads the audit log, oldest first, filtered by subject, actor and time range. */
@Controller("/api/v1/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
public class AuditController {
    private final AuditLog audit;

    public AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @Get
    public PageView<AuditEvent> list(@Nullable @QueryValue String subject, @Nullable @QueryValue String actor,
                                     @Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                     @QueryValue(defaultValue = "0") int page,
                                     @QueryValue(defaultValue = "50") int size) {
        Pageable p = Paging.of(page, size, Sort.unsorted());
        AuditLog.Slice slice = audit.search(new AuditLog.Query(subject, actor, instant("from", from),
                instant("to", to)), p.getNumber(), p.getSize());
        return new PageView<>(slice.events(), page, size, slice.total());
    }

    private static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badField(field, field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '"
                    + value + "'");
        }
    }
}

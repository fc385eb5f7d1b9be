package io.adapterops.service.serving;

import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Sort;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The request log, newest first, filtered by route, adapter, version, arm, time ({@code from}
 * inclusive, {@code to} exclusive, ISO-8601) or the primary request a shadow copy mirrored. It holds
 * users' (redacted) prompts, so readers are the people who run and judge rollouts, not viewers.
 */
@Controller("/api/v1/request-log")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RequestLogController {
    private static final long FLUSH_MS = 5_000;
    private final RequestLog log;
    private final RequestLogWriter writer;

    public RequestLogController(RequestLog log, RequestLogWriter writer) {
        this.log = log;
        this.writer = writer;
    }

    @Get
    @Secured({Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
    public PageView<LoggedRequest> search(@QueryValue @Nullable String route, @QueryValue @Nullable String adapter,
                                          @QueryValue @Nullable Integer version, @QueryValue @Nullable String arm,
                                          @QueryValue @Nullable String from, @QueryValue @Nullable String to,
                                          @QueryValue @Nullable String primaryRequestId,
                                          @QueryValue(defaultValue = "0") int page,
                                          @QueryValue(defaultValue = "50") int size) {
        Paging.of(page, size, Sort.unsorted());
        if (arm != null && !List.of("champion", "challenger", "shadow").contains(arm)) {
            throw ApiException.badField("arm", "arm must be champion, challenger or shadow, got '" + arm + "'");
        }
        writer.flush(FLUSH_MS); // a caller sees the requests this replica has answered
        return log.search(new RequestLog.Query(route, adapter, version, arm, instant("from", from), instant("to", to),
                primaryRequestId), page, size);
    }

    private static Instant instant(String field, @Nullable String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badField(field, field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '"
                    + value + "'");
        }
    }
}

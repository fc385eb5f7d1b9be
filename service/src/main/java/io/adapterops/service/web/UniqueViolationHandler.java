package io.adapterops.service.web;

import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Map;

/**
 * Database refusals that come from two requests racing (a duplicate name inserted twice, a
 * deadlock, a serialisation failure) become 409s; anything else stays a 500.
 */
@Produces
@Singleton
public class UniqueViolationHandler implements ExceptionHandler<DataAccessException, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(UniqueViolationHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, DataAccessException exception) {
        String state = sqlState(exception);
        if (state != null && (state.equals("23505") || state.equals("40001") || state.equals("40P01"))) {
            return Problems.response(request, ApiException.conflict("concurrent-change",
                    "the change collided with another request (" + (state.equals("23505") ? "duplicate key" :
                            "concurrent update") + "); nothing was written: re-read and retry", Map.of()));
        }
        LOG.error("database error on {} {}", request.getMethod(), request.getPath(), exception);
        return Problems.response(request, new ApiException(500, "internal", "Internal error",
                "the database refused the request; see the service log", Map.of()));
    }

    private static String sqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}

package io.adapterops.service.web;

import io.micronaut.data.exceptions.OptimisticLockException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Two operators acted on the same row at once: the transaction that lost the optimistic lock was
 * rolled back whole, so the caller can re-read and decide again.
 */
@Produces
@Singleton
public class ConcurrentChangeHandler implements ExceptionHandler<OptimisticLockException, HttpResponse<?>> {
    @Override
    public HttpResponse<?> handle(HttpRequest request, OptimisticLockException exception) {
        return Problems.response(request, ApiException.conflict("concurrent-change",
                "another request changed this resource at the same time; nothing was changed by this one: "
                        + "re-read it and retry", Map.of()));
    }
}

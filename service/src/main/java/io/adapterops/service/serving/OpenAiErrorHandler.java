package io.adapterops.service.serving;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

import java.util.Map;

@Produces
@Singleton
public class OpenAiErrorHandler implements ExceptionHandler<OpenAiError, HttpResponse<?>> {
    @Override
    public HttpResponse<?> handle(HttpRequest request, OpenAiError e) {
        return response(e);
    }

    static MutableHttpResponse<Map<String, Object>> response(OpenAiError e) {
        MutableHttpResponse<Map<String, Object>> r = HttpResponse.<Map<String, Object>>status(HttpStatus.valueOf(e.status()))
                .contentType(MediaType.APPLICATION_JSON_TYPE).body(e.body());
        if (e.retryAfterSeconds() > 0) {
            r.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        }
        return r;
    }
}

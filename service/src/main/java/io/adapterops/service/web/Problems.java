package io.adapterops.service.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds problem-details bodies (RFC 9457) in one shape for every error the service returns. */
public final class Problems {
    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "urn:adapterops:problem:";

    private Problems() {
    }

    public static Map<String, Object> body(String type, String title, int status, String detail, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        return body;
    }

    public static MutableHttpResponse<Map<String, Object>> response(HttpRequest<?> request, ApiException e) {
        Map<String, Object> body = body(e.type(), e.title(), e.status(), e.getMessage(), request.getPath());
        body.putAll(e.extensions());
        return HttpResponse.<Map<String, Object>>status(io.micronaut.http.HttpStatus.valueOf(e.status()))
                .contentType(MediaType.of(MEDIA_TYPE))
                .body(body);
    }
}

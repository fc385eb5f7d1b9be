package io.adapterops.service.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error the caller can act on. Rendered as RFC 9457 problem details; the extensions name the
 * field or state at fault so a client need not parse the message.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions;

    public ApiException(int status, String type, String title, String detail, Map<String, Object> extensions) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extensions = new LinkedHashMap<>(extensions);
    }

    public static ApiException notFound(String what, String key) {
        return new ApiException(404, "not-found", "Not found", what + " '" + key + "' does not exist",
                Map.of("resource", what));
    }

    public static ApiException badField(String field, String detail) {
        return new ApiException(400, "invalid-field", "Invalid request", detail, Map.of("field", field));
    }

    public static ApiException conflict(String type, String detail, Map<String, Object> extensions) {
        return new ApiException(409, type, "Conflict", detail, extensions);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Forbidden", detail, Map.of());
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}

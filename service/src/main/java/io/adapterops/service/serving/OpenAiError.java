package io.adapterops.service.serving;

import io.micronaut.core.annotation.Nullable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error of the {@code /v1} API in OpenAI's shape, {@code {"error":{"message","type","param","code"}}},
 * with OpenAI's status codes, so OpenAI clients raise their usual exception types. Overload and rate
 * limits carry a Retry-After in seconds.
 */
public class OpenAiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    public OpenAiError(int status, String type, @Nullable String param, @Nullable String code, String message,
                       long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static OpenAiError invalid(@Nullable String param, String message) {
        return new OpenAiError(400, "invalid_request_error", param, null, message, 0);
    }

    public static OpenAiError invalid(@Nullable String param, String code, String message) {
        return new OpenAiError(400, "invalid_request_error", param, code, message, 0);
    }

    public static OpenAiError modelNotFound(String model, String why) {
        return new OpenAiError(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist: " + why, 0);
    }

    public static OpenAiError notFound(String param, String message) {
        return new OpenAiError(404, "invalid_request_error", param, "not_found", message, 0);
    }

    public static OpenAiError conflict(String param, String message) {
        return new OpenAiError(409, "invalid_request_error", param, "conflict", message, 0);
    }

    public static OpenAiError rateLimited(String message, long retryAfterSeconds) {
        return new OpenAiError(429, "rate_limit_exceeded", null, "rate_limit_exceeded", message, retryAfterSeconds);
    }

    public static OpenAiError overloaded(String message, long retryAfterSeconds) {
        return new OpenAiError(503, "server_error", null, "overloaded", message, retryAfterSeconds);
    }

    public static OpenAiError unavailable(String message) {
        return new OpenAiError(503, "server_error", null, "adapter_unavailable", message, 0);
    }

    public int status() {
        return status;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Map<String, Object> body() {
        return body(getMessage(), type, param, code);
    }

    /** OpenAI's error object; {@code param} and {@code code} are null when they do not apply. */
    public static Map<String, Object> body(String message, String type, @Nullable String param, @Nullable String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        return body;
    }
}

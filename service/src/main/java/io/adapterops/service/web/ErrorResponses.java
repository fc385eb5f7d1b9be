package io.adapterops.service.web;

import io.adapterops.service.security.RoleRequirement;
import io.adapterops.service.serving.OpenAiError;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Gives the framework's own errors (security, bad bodies, size limits, unknown paths) the shape of
 * the API they belong to: OpenAI's error object under {@code /v1} (OpenAI clients parse nothing
 * else), problem details everywhere else.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class ErrorResponses implements ErrorResponseProcessor<Object> {
    private final ProblemJsonBodyProvider problems;

    public ErrorResponses(ProblemJsonBodyProvider problems) {
        this.problems = problems;
    }

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<Object> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        MutableHttpResponse<Object> r = (MutableHttpResponse<Object>) response;
        if (context.getRequest().getPath().startsWith("/v1/")) {
            r.body(openAi(context, response.code()));
            return r.contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        r.body(problems.body(context, response));
        return r.contentType(problems.contentType());
    }

    private static Map<String, Object> openAi(ErrorContext context, int status) {
        String detail = context.getErrors().isEmpty() ? null : context.getErrors().get(0).getMessage();
        return switch (status) {
            case 401 -> OpenAiError.body("Missing or invalid bearer token: send 'Authorization: Bearer aop_…' with a "
                    + "token that has the inference role", "invalid_request_error", null, "invalid_api_key");
            case 403 -> OpenAiError.body(RoleRequirement.explain(context.getRequest()).orElse("forbidden"),
                    "permission_error", null, "insufficient_permissions");
            case 404 -> OpenAiError.body("Unknown URL " + context.getRequest().getMethodName() + " "
                    + context.getRequest().getPath(), "invalid_request_error", null, "unknown_url");
            case 413 -> OpenAiError.body("Request body too large: the limit is 1 MiB", "invalid_request_error", null,
                    "request_too_large");
            default -> OpenAiError.body(detail == null ? "HTTP " + status : detail,
                    status >= 500 ? "server_error" : "invalid_request_error", null, null);
        };
    }
}

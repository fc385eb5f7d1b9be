package io.adapterops.service.web;

import io.adapterops.service.security.RoleRequirement;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import io.micronaut.serde.exceptions.InvalidPropertyFormatException;
import io.micronaut.serde.exceptions.SerdeException;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Micronaut's own errors (bad JSON, validation, size limits, security) into problem details
 * that name the field at fault, so every error of the API has one shape.
 */
@Singleton
@Replaces(JsonErrorResponseBodyProvider.class)
public class ProblemJsonBodyProvider implements JsonErrorResponseBodyProvider<Map<String, Object>> {
    private static final Pattern UNKNOWN = Pattern.compile("Unknown property \\[([^\\]]+)]");
    private static final Pattern DECODING = Pattern.compile("property \\[(?:[^\\]]*\\s)?([\\w$]+)]");
    private static final Pattern MISSING = Pattern.compile("[Mm]issing (?:required )?(?:property|argument) \\[(?:[^\\]]*\\s)?([\\w$]+)]");

    @Override
    public String contentType() {
        return Problems.MEDIA_TYPE;
    }

    @Override
    public Map<String, Object> body(ErrorContext context, HttpResponse<?> response) {
        int status = response.code();
        List<Map<String, String>> errors = new ArrayList<>();
        Optional<String> decodingField = context.getRootCause().flatMap(ProblemJsonBodyProvider::fieldOf);
        for (Error error : context.getErrors()) {
            Map<String, String> e = new LinkedHashMap<>();
            decodingField.or(() -> fieldOf(error)).ifPresent(f -> e.put("field", f));
            e.put("message", error.getMessage());
            errors.add(e);
        }
        String detail = errors.isEmpty() ? response.reason() : errors.get(0).get("message");
        if (status == 413) {
            detail = "request body too large: the limit on this endpoint is 1 MiB";
        }
        if (status == 403) {
            detail = RoleRequirement.explain(context.getRequest()).orElse(detail);
        }
        Map<String, Object> body = Problems.body(typeOf(status), response.reason(), status, detail,
                context.getRequest().getPath());
        if (!errors.isEmpty()) {
            body.put("errors", errors);
            String field = errors.get(0).get("field");
            if (field != null) {
                body.put("field", field);
            }
        }
        return body;
    }

    private static String typeOf(int status) {
        return switch (status) {
            case 400 -> "invalid-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
    }

    /** The property whose JSON value had the wrong type, as the deserializer recorded it. */
    static Optional<String> fieldOf(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InvalidPropertyFormatException p) {
                return Optional.of(p.getArgument().getName());
            }
            if (t instanceof SerdeException s && !s.getPath().isEmpty()) {
                return Optional.of(s.getPath().get(s.getPath().size() - 1).getArgument().getName());
            }
        }
        return Optional.empty();
    }

    /** The property a validation or decoding error is about, e.g. {@code weight} or {@code name}. */
    static Optional<String> fieldOf(Error error) {
        String message = error.getMessage();
        for (Pattern p : List.of(UNKNOWN, MISSING, DECODING)) {
            Matcher m = p.matcher(message);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        Optional<String> path = error.getPath();
        if (path.isPresent()) {
            String[] parts = path.get().split("\\.");
            return Optional.of(parts[parts.length - 1]);
        }
        int colon = message.indexOf(": ");
        if (colon > 0 && !message.substring(0, colon).contains(" ")) {
            String[] parts = message.substring(0, colon).split("\\.");
            return Optional.of(parts[parts.length - 1]);
        }
        return Optional.empty();
    }
}

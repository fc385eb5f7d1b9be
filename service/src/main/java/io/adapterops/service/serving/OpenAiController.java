package io.adapterops.service.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.adapterops.service.security.Roles;
import io.adapterops.service.serving.CompletionRequest.Endpoint;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI-compatible API: chat completions and completions (streamed as server-sent events when
 * asked), the models (routes and their serving versions) and feedback. Translation only: serving
 * is {@link Completions}, the wire format {@link OpenAiRequests} and {@link OpenAiResponses}.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured({Roles.INFERENCE, Roles.OPERATOR, Roles.ADMIN})
public class OpenAiController {
    static final String ARM = "x-adapterops-arm";
    static final String ADAPTER = "x-adapterops-adapter";
    static final String VERSION = "x-adapterops-version";
    static final String REQUEST_ID = "x-request-id";

    private final Completions completions;
    private final OpenAiResponses responses;
    private final ServedRoutes routes;
    private final Feedback feedback;

    public OpenAiController(Completions completions, OpenAiResponses responses, ServedRoutes routes,
                            Feedback feedback) {
        this.completions = completions;
        this.responses = responses;
        this.routes = routes;
        this.feedback = feedback;
    }

    @Post(value = "/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    public Mono<MutableHttpResponse<?>> chat(@Body @Nullable String body, @Header("X-User-Id") @Nullable String userId,
                                             Authentication caller, HttpRequest<?> http) {
        return complete(Endpoint.CHAT, body, userId, caller, http);
    }

    @Post(value = "/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM})
    public Mono<MutableHttpResponse<?>> completion(@Body @Nullable String body,
                                                   @Header("X-User-Id") @Nullable String userId,
                                                   Authentication caller, HttpRequest<?> http) {
        return complete(Endpoint.COMPLETION, body, userId, caller, http);
    }

    private Mono<MutableHttpResponse<?>> complete(Endpoint endpoint, String body, String userId,
                                                  Authentication caller, HttpRequest<?> http) {
        CompletionRequest request = OpenAiRequests.read(endpoint, body);
        Completions.Started started = completions.start(request, caller.getName(), userId);
        Mono<MutableHttpResponse<?>> response;
        if (request.stream()) {
            Flux<Event<String>> events = responses.stream(started);
            response = Mono.<MutableHttpResponse<?>>just(HttpResponse.ok(events).contentType(MediaType.TEXT_EVENT_STREAM_TYPE));
        } else {
            ClientHangUp.cancelOnClose(http, started);
            response = responses.result(started).<MutableHttpResponse<?>>map(finished -> HttpResponse.ok(responses.body(started, finished))
                    .contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header("Server-Timing", "engine;dur=" + millis(finished.result().totalTime()) + ", total;dur="
                            + millis(finished.latency())));
        }
        return response.map(r -> r.header(REQUEST_ID, started.id()).header(ARM, started.member().arm().tag())
                .header(ADAPTER, started.member().adapter())
                .header(VERSION, String.valueOf(started.member().version())));
    }

    /** Milliseconds to the microsecond, for Server-Timing ({@code String.format} cost ~5% of a request's CPU). */
    static String millis(Duration d) {
        return String.valueOf(d.toNanos() / 1000 / 1000.0);
    }

    /** Each route, then each version serving it as {@code route@N}. */
    @Get("/models")
    public Map<String, Object> models() {
        List<Map<String, Object>> data = new ArrayList<>();
        for (ServedRoute route : routes.all()) {
            List<ServedRoute.Member> serving = route.members().stream()
                    .filter(m -> m.arm() != ServedRoute.Arm.SHADOW).toList();
            data.add(model(route.name(), route, serving));
            for (ServedRoute.Member m : serving) {
                data.add(model(route.name() + "@" + m.version(), route, List.of(m)));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data);
        return body;
    }

    private static Map<String, Object> model(String id, ServedRoute route, List<ServedRoute.Member> serving) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "adapterops");
        m.put("base_model", route.baseModel());
        List<Map<String, Object>> versions = new ArrayList<>();
        for (ServedRoute.Member s : serving) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("arm", s.arm().tag());
            v.put("adapter", s.adapter());
            v.put("version", s.version());
            if (s.arm() == ServedRoute.Arm.CHALLENGER) {
                v.put("traffic_percent", route.challengerPercent());
            }
            versions.add(v);
        }
        m.put("serving", versions);
        return m;
    }

    /**
     * {@code {"request_id": "...", "rating": "up"|"down"|1-5, "comment": "..."}}: 201 the first time,
     * 200 for an identical repeat, 409 for a different one, 404 for an unknown request id.
     */
    @Post(value = "/feedback", consumes = MediaType.ALL)
    public HttpResponse<Map<String, Object>> feedback(@Body @Nullable String body, Authentication caller) {
        JsonNode n = OpenAiRequests.parse(body);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("request_id", "rating", "comment").contains(f)) {
                throw OpenAiError.invalid(f, "Unrecognized request argument supplied: " + f);
            }
        }
        if (!n.path("request_id").isTextual() || n.get("request_id").asText().isBlank()) {
            throw OpenAiError.invalid("request_id", "Missing required parameter: 'request_id' (the id of a response).");
        }
        JsonNode r = n.path("rating");
        String rating;
        if (r.isTextual() && List.of("up", "down").contains(r.asText())) {
            rating = r.asText();
        } else if (r.isIntegralNumber() && r.asInt() >= 1 && r.asInt() <= 5) {
            rating = String.valueOf(r.asInt());
        } else {
            throw OpenAiError.invalid("rating", "Invalid 'rating': expected \"up\", \"down\" or an integer from 1 to 5.");
        }
        JsonNode c = n.path("comment");
        if (!c.isMissingNode() && !c.isNull() && (!c.isTextual() || c.asText().length() > Feedback.MAX_COMMENT)) {
            throw OpenAiError.invalid("comment", "Invalid 'comment': expected a string of at most "
                    + Feedback.MAX_COMMENT + " characters.");
        }
        Feedback.Given given = feedback.give(n.get("request_id").asText(), rating, c.isTextual() ? c.asText() : null,
                caller.getName());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "feedback");
        out.put("request_id", given.requestId());
        out.put("rating", given.rating());
        out.put("comment", given.comment());
        out.put("created_at", given.createdAt().getEpochSecond());
        return given.created() ? HttpResponse.created(out) : HttpResponse.ok(out);
    }
}

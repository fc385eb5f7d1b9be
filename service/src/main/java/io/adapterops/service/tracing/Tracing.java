package io.adapterops.service.tracing;

import io.micronaut.core.annotation.Nullable;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Supplier;

/**
 * The service's own spans (inference, training-job phases, evaluations, MLflow and trainer-worker
 * calls) beside the HTTP server spans that Micronaut makes. A span records the exception that ends
 * it and is marked as an error. Calls made with the JDK's HTTP client get a client span and carry
 * the W3C trace context ({@code traceparent}), so a traced receiver continues the trace.
 */
@Singleton
public class Tracing {
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    public Tracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.adapterops.service");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** Runs {@code work} in a span that is a child of the current one (or a new trace's root). */
    public <T> T inSpan(String name, Attributes attributes, Supplier<T> work) {
        return inSpan(name, SpanKind.INTERNAL, attributes, work);
    }

    public <T> T inSpan(String name, SpanKind kind, Attributes attributes, Supplier<T> work) {
        Span span = start(name, kind, attributes);
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    public void inSpan(String name, Attributes attributes, Runnable work) {
        inSpan(name, attributes, () -> {
            work.run();
            return null;
        });
    }

    /** A started span for work that ends on another thread; end it with {@link #end}. */
    public Span start(String name, SpanKind kind, Attributes attributes) {
        return tracer.spanBuilder(name).setSpanKind(kind).setAllAttributes(attributes).startSpan();
    }

    public static void end(Span span, @Nullable Throwable error) {
        if (error != null) {
            failed(span, error);
        }
        span.end();
    }

    /** Marks the current span as failed, for work that catches its own exceptions. */
    public static void failed(String why) {
        Span.current().setStatus(StatusCode.ERROR, why);
    }

    private static void failed(Span span, Throwable e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
    }

    /** {@code task} run on another thread, in the trace of the caller. */
    public static Runnable inCurrentTrace(Runnable task) {
        return Context.current().wrap(task);
    }

    /** Adds the current trace context ({@code traceparent}) to a request without a span of its own. */
    public HttpRequest.Builder propagate(HttpRequest.Builder request) {
        propagator.inject(Context.current(), request, HttpRequest.Builder::setHeader);
        return request;
    }

    /**
     * Sends {@code request} in a client span named {@code name} (a low-cardinality form such as
     * {@code "trainer GET /jobs/{id}"}), carrying the trace context. The URL is recorded without its
     * query, which may hold a presigned signature.
     */
    public <T> HttpResponse<T> send(HttpClient http, String name, HttpRequest request,
                                    HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        URI uri = request.uri();
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT)
                .setAttribute(METHOD, request.method())
                .setAttribute(URL, uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath())
                .setAttribute(SERVER, uri.getHost())
                .setAttribute(PORT, (long) (uri.getPort() > 0 ? uri.getPort()
                        : "https".equals(uri.getScheme()) ? 443 : 80))
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            HttpResponse<T> response = http.send(propagate(HttpRequest.newBuilder(request, (n, v) -> true)).build(),
                    body);
            span.setAttribute(STATUS, (long) response.statusCode());
            if (response.statusCode() >= 400) {
                span.setStatus(StatusCode.ERROR, "HTTP " + response.statusCode());
            }
            return response;
        } catch (IOException | InterruptedException | RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }
}

package io.adapterops.service.support;

import io.micronaut.context.annotation.Requires;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps every ended span of a test server started with {@code adapterops.test.capture-spans=true}
 * (Micronaut adds a {@link SpanProcessor} bean to the tracer provider).
 */
@Singleton
@Requires(property = CapturedSpans.PROPERTY, value = "true")
public class CapturedSpans implements SpanProcessor {
    public static final String PROPERTY = "adapterops.test.capture-spans";

    private final List<SpanData> ended = new CopyOnWriteArrayList<>();

    public List<SpanData> all() {
        return new ArrayList<>(ended);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        ended.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }
}

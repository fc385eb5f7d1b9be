package io.adapterops.service.serving;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;

/**
 * The attributes of the {@code inference} span: what was asked for, which route member answered
 * (the same route, adapter, version and arm as the metrics' labels) and how it ended.
 */
final class InferenceSpans {
    static final String NAME = "inference";
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("adapterops.endpoint");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("adapterops.route");
    static final AttributeKey<String> ADAPTER = AttributeKey.stringKey("adapterops.adapter");
    static final AttributeKey<Long> VERSION = AttributeKey.longKey("adapterops.version");
    static final AttributeKey<String> ARM = AttributeKey.stringKey("adapterops.arm");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("adapterops.request_id");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("adapterops.outcome");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");

    private InferenceSpans() {
    }

    static Attributes request(CompletionRequest request) {
        return Attributes.of(MODEL, request.model(), ENDPOINT, request.endpoint().tag);
    }

    static void member(Span span, String route, ServedRoute.Member member) {
        span.setAttribute(ROUTE, route);
        span.setAttribute(ADAPTER, member.adapter());
        span.setAttribute(VERSION, (long) member.version());
        span.setAttribute(ARM, member.arm().tag());
    }

    static void finished(Span span, String outcome, int promptTokens, int completionTokens) {
        span.setAttribute(OUTCOME, outcome);
        span.setAttribute(INPUT_TOKENS, (long) promptTokens);
        span.setAttribute(OUTPUT_TOKENS, (long) completionTokens);
    }
}

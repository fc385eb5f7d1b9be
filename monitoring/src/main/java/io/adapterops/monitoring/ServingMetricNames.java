package io.adapterops.monitoring;

import java.util.List;

/**
 * The serving metrics' names (Micrometer form; Prometheus replaces dots with underscores and adds
 * {@code _seconds_bucket}, {@code _total} and the like). Dashboards and alert rules are written
 * from this list. Every series carries the tags {@link #ROUTE}, {@link #ADAPTER}, {@link #VERSION}
 * and {@link #ARM} ({@code champion|challenger|shadow}).
 */
public final class ServingMetricNames {
    /** Timer, seconds, histogram buckets 10 ms … 60 s: request latency as the service sees it. */
    public static final String LATENCY = "adapterops.inference.latency";
    /** Timer, seconds, same buckets: from the request's arrival to its first generated token. */
    public static final String TIME_TO_FIRST_TOKEN = "adapterops.inference.ttft";
    /** Counter with {@code direction=in|out}: prompt and completion tokens. */
    public static final String TOKENS = "adapterops.inference.tokens";
    /** Counter with {@code outcome=ok|cancelled|error|invalid|rate_limited|overloaded}. */
    public static final String REQUESTS = "adapterops.inference.requests";
    /** Counter: answers the evaluator's refusal detector flags. */
    public static final String REFUSALS = "adapterops.inference.refusals";
    /** Counter with {@code rating=up|down|neutral} (1–2 down, 3 neutral, 4–5 up). */
    public static final String FEEDBACK = "adapterops.feedback";
    /** Counter with {@code outcome}: shadow copies run. */
    public static final String SHADOW_REQUESTS = "adapterops.shadow.requests";
    /** Counter: shadow copies dropped because the shadow queue was full. */
    public static final String SHADOW_DROPPED = "adapterops.shadow.dropped";

    public static final String ROUTE = "route";
    public static final String ADAPTER = "adapter";
    public static final String VERSION = "version";
    public static final String ARM = "arm";

    public static final List<String> ALL = List.of(LATENCY, TIME_TO_FIRST_TOKEN, TOKENS, REQUESTS, REFUSALS, FEEDBACK,
            SHADOW_REQUESTS, SHADOW_DROPPED);

    private ServingMetricNames() {
    }
}

package io.adapterops.service.serving;

import io.adapterops.monitoring.ServingMetricNames;
import io.adapterops.service.registry.VersionMoved;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;

/**
 * Records the serving metrics ({@link ServingMetricNames}) per route, adapter, version and arm.
 * Latency and time to first token are histograms with fixed buckets from 10 ms to 60 s, so
 * Prometheus computes any percentile across replicas. A route member's series are registered at
 * start-up and when it joins a route, so dashboards see zeros rather than no series.
 */
@Singleton
public class ServingMetrics {
    static final Duration[] BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60)};
    static final List<String> OUTCOMES = List.of("ok", "cancelled", "error", "invalid", "rate_limited", "overloaded");
    static final List<String> RATINGS = List.of("up", "down", "neutral");

    private final MeterRegistry registry;
    private final ServedRoutes routes;

    public ServingMetrics(MeterRegistry registry, ServedRoutes routes) {
        this.registry = registry;
        this.routes = routes;
    }

    static Tags tags(String route, ServedRoute.Member m, ServedRoute.Arm arm) {
        return Tags.of(ServingMetricNames.ROUTE, route, ServingMetricNames.ADAPTER, m.adapter(),
                ServingMetricNames.VERSION, String.valueOf(m.version()), ServingMetricNames.ARM, arm.tag());
    }

    static Tags tags(String route, String adapter, int version, String arm) {
        return Tags.of(ServingMetricNames.ROUTE, route, ServingMetricNames.ADAPTER, adapter,
                ServingMetricNames.VERSION, String.valueOf(version), ServingMetricNames.ARM, arm);
    }

    private Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS)
                .minimumExpectedValue(BUCKETS[0]).maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                .register(registry);
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** A served (or refused after routing) request of a primary arm. */
    public void request(Tags tags, String outcome) {
        counter(ServingMetricNames.REQUESTS, "inference requests by outcome", tags.and("outcome", outcome)).increment();
    }

    /** A request answered in full: its latency, time to first token and refusal flag. */
    public void answered(Tags tags, Duration latency, Duration ttft, boolean refusal) {
        timer(ServingMetricNames.LATENCY, "inference request latency", tags).record(latency);
        if (ttft != null) {
            timer(ServingMetricNames.TIME_TO_FIRST_TOKEN, "time to first token", tags).record(ttft);
        }
        if (refusal) {
            counter(ServingMetricNames.REFUSALS, "answers the refusal detector flags", tags).increment();
        }
    }

    /** Tokens a request read and generated, answered or cancelled. */
    public void tokens(Tags tags, int promptTokens, int completionTokens) {
        counter(ServingMetricNames.TOKENS, "prompt (in) and completion (out) tokens", tags.and("direction", "in"))
                .increment(promptTokens);
        counter(ServingMetricNames.TOKENS, "prompt (in) and completion (out) tokens", tags.and("direction", "out"))
                .increment(completionTokens);
    }

    public void feedback(Tags tags, String rating) {
        counter(ServingMetricNames.FEEDBACK, "user feedback by rating", tags.and("rating", rating)).increment();
    }

    public void shadow(Tags tags, String outcome) {
        counter(ServingMetricNames.SHADOW_REQUESTS, "shadow copies run, by outcome", tags.and("outcome", outcome))
                .increment();
    }

    public void shadowDropped(Tags tags) {
        counter(ServingMetricNames.SHADOW_DROPPED, "shadow copies dropped: shadow queue full", tags).increment();
    }

    /** Registers every series of a route member at zero. */
    public void register(String route, String adapter, int version, ServedRoute.Arm arm) {
        Tags tags = tags(route, adapter, version, arm.tag());
        if (arm == ServedRoute.Arm.SHADOW) {
            for (String outcome : OUTCOMES) {
                counter(ServingMetricNames.SHADOW_REQUESTS, "shadow copies run, by outcome", tags.and("outcome", outcome));
            }
            counter(ServingMetricNames.SHADOW_DROPPED, "shadow copies dropped: shadow queue full", tags);
        } else {
            for (String outcome : OUTCOMES) {
                counter(ServingMetricNames.REQUESTS, "inference requests by outcome", tags.and("outcome", outcome));
            }
            for (String rating : RATINGS) {
                counter(ServingMetricNames.FEEDBACK, "user feedback by rating", tags.and("rating", rating));
            }
        }
        counter(ServingMetricNames.REFUSALS, "answers the refusal detector flags", tags);
        timer(ServingMetricNames.LATENCY, "inference request latency", tags);
        timer(ServingMetricNames.TIME_TO_FIRST_TOKEN, "time to first token", tags);
        counter(ServingMetricNames.TOKENS, "prompt (in) and completion (out) tokens", tags.and("direction", "in"));
        counter(ServingMetricNames.TOKENS, "prompt (in) and completion (out) tokens", tags.and("direction", "out"));
    }

    /** Registers the series of every route member at start-up. */
    public void registerAll() {
        for (ServedRoute route : routes.all()) {
            for (ServedRoute.Member m : route.members()) {
                register(route.name(), m.adapter(), m.version(), m.arm());
            }
        }
    }

    @EventListener
    void onStartup(StartupEvent event) {
        registerAll();
    }

    /** A version that joins a route as shadow, challenger or champion gets its series at once. */
    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onMoved(VersionMoved e) {
        ServedRoute.Arm arm = switch (e.to()) {
            case SHADOW -> ServedRoute.Arm.SHADOW;
            case CANARY -> ServedRoute.Arm.CHALLENGER;
            case CHAMPION -> ServedRoute.Arm.CHAMPION;
            default -> null;
        };
        if (arm != null && e.route() != null) {
            register(e.route(), e.adapter(), e.version(), arm);
        }
    }
}

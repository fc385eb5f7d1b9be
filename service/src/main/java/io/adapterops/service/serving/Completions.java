package io.adapterops.service.serving;

import io.adapterops.evaluator.metrics.RefusalDetector;
import io.adapterops.llm.EngineOverloadedException;
import io.adapterops.llm.EngineRequest;
import io.adapterops.llm.EngineResult;
import io.adapterops.llm.GenerationHandle;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.UnknownAdapterException;
import io.adapterops.service.serving.CompletionRequest.Endpoint;
import io.adapterops.service.tracing.Tracing;
import io.micrometer.core.instrument.Tags;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.scheduling.TaskExecutors;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves one completion: resolves the model name to a route member (sticky A/B, or a pinned
 * version), checks the route's limits and the caller's token budget, submits to the base model's
 * engine, queues shadow copies, and when the engine finishes records metrics and the request log
 * row before the caller sees the end of the answer (so feedback can name it at once). Each request
 * is one {@code inference} span, from arrival to the last token, in the trace of its HTTP request.
 */
@Singleton
public class Completions {
    private static final SecureRandom IDS = new SecureRandom();

    /** A request admitted to the engine; {@code finished} completes once it is recorded. */
    public record Started(String id, long created, CompletionRequest request, String route, ServedRoute.Member member,
                          GenerationHandle handle, CompletableFuture<Finished> finished) {
    }

    /** A recorded result; {@code latency} is the service's, from arrival to the last token. */
    public record Finished(EngineResult result, Duration latency, boolean refusal) {
    }

    private final ServedRoutes routes;
    private final ArmAssignment arms;
    private final BaseModelEngines engines;
    private final ServingSettings settings;
    private final CallerTokenBudgets budgets;
    private final ShadowQueue shadows;
    private final RequestLog log;
    private final RequestLogWriter logWriter;
    private final ServingMetrics metrics;
    private final ExecutorService blocking;
    private final Tracing tracing;
    private final RefusalDetector refusals = RefusalDetector.withDefaults();

    public Completions(ServedRoutes routes, ArmAssignment arms, BaseModelEngines engines, ServingSettings settings,
                       CallerTokenBudgets budgets, ShadowQueue shadows, RequestLog log, RequestLogWriter logWriter,
                       ServingMetrics metrics,
                       @Named(TaskExecutors.BLOCKING) ExecutorService blocking, Tracing tracing) {
        this.routes = routes;
        this.arms = arms;
        this.engines = engines;
        this.settings = settings;
        this.budgets = budgets;
        this.shadows = shadows;
        this.log = log;
        this.logWriter = logWriter;
        this.metrics = metrics;
        this.blocking = blocking;
        this.tracing = tracing;
    }

    /**
     * Admits a request. An adapter unloaded between reading the route and submitting (a rollback
     * committed in between) makes it read the route again, so it is answered by the new member.
     */
    public Started start(CompletionRequest request, String caller, @Nullable String userHeader) {
        long received = System.nanoTime();
        String user = request.user() != null ? request.user()
                : userHeader != null && !userHeader.isBlank() ? userHeader : UUID.randomUUID().toString();
        Span span = tracing.start(InferenceSpans.NAME, SpanKind.INTERNAL, InferenceSpans.request(request));
        try {
            try {
                return admit(request, caller, user, received, span);
            } catch (UnknownAdapterException e) {
                try {
                    return admit(request, caller, user, received, span);
                } catch (UnknownAdapterException again) {
                    throw OpenAiError.unavailable("the route changed while this request was admitted; retry");
                }
            }
        } catch (RuntimeException e) {
            Tracing.end(span, e);
            throw e;
        }
    }

    private Started admit(CompletionRequest request, String caller, String user, long received, Span span) {
        String model = request.model();
        int at = model.lastIndexOf('@');
        String routeName = at < 0 ? model : model.substring(0, at);
        ServedRoute route = routes.find(routeName)
                .orElseThrow(() -> OpenAiError.modelNotFound(model, "no route is named '" + routeName + "'"));
        ServedRoute.Member member = at < 0 ? arms.choose(route, user) : pinned(route, model, model.substring(at + 1));
        if (member == null) {
            throw OpenAiError.modelNotFound(model, "route '" + routeName + "' has no champion yet");
        }
        Tags tags = ServingMetrics.tags(route.name(), member, member.arm());
        InferenceSpans.member(span, route.name(), member);
        BaseModelEngines.Loaded loaded = engines.engine(route.baseModel());
        int[] prompt;
        int maxTokens;
        try {
            prompt = encode(loaded, request);
            maxTokens = checkLimits(route, loaded.context(), request, prompt.length);
        } catch (OpenAiError e) {
            metrics.request(tags, "invalid");
            throw e;
        }
        int reserved = prompt.length + maxTokens;
        try {
            budgets.take(caller, reserved);
        } catch (OpenAiError e) {
            metrics.request(tags, "rate_limited");
            throw e;
        }
        GenerationOptions options = new GenerationOptions(maxTokens, request.temperature(), 0, request.topP(), 1,
                request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong(), request.stop(), true,
                null);
        GenerationHandle handle;
        long submitted = System.nanoTime();
        try {
            handle = loaded.engine().submit(EngineRequest.ofIds(prompt,
                    options.withAdapter(engines.adapter(loaded, member))));
        } catch (EngineOverloadedException e) {
            budgets.giveBack(caller, reserved);
            metrics.request(tags, "overloaded");
            throw OpenAiError.overloaded("The engine is at capacity (" + e.getMessage() + ")",
                    Math.max(1, settings.overloadedRetryAfter().toSeconds()));
        } catch (UnknownAdapterException e) {
            budgets.giveBack(caller, reserved);
            throw e;
        } catch (IllegalArgumentException e) {
            budgets.giveBack(caller, reserved);
            metrics.request(tags, "invalid");
            throw OpenAiError.invalid(null, e.getMessage());
        } catch (RuntimeException e) {
            budgets.giveBack(caller, reserved);
            throw e;
        }
        String id = request.endpoint().idPrefix + HexFormat.of().formatHex(randomBytes());
        boolean sampled = log.sample();
        for (ServedRoute.Member shadow : route.shadows()) {
            shadows.offer(new ShadowQueue.Copy(route.name(), route.baseModel(), shadow, id, request.endpoint().tag,
                    prompt, request.promptText(), options, caller, user, sampled));
        }
        span.setAttribute(InferenceSpans.REQUEST_ID, id);
        Recording rec = new Recording(id, request, route.name(), member, tags, caller, user, received, submitted,
                reserved, sampled, span);
        CompletableFuture<Finished> finished = handle.result().handleAsync(rec::finish, blocking);
        return new Started(id, Instant.now().getEpochSecond(), request, route.name(), member, handle, finished);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        IDS.nextBytes(b);
        return b;
    }

    /** {@code route@N}: version N of the route's champion or challenger (shadows are never answered). */
    private static ServedRoute.Member pinned(ServedRoute route, String model, String version) {
        List<ServedRoute.Member> serving = route.members().stream().filter(m -> m.arm() != ServedRoute.Arm.SHADOW)
                .toList();
        List<ServedRoute.Member> matches = serving.stream().filter(m -> String.valueOf(m.version()).equals(version))
                .toList();
        if (matches.isEmpty()) {
            throw OpenAiError.modelNotFound(model, "version " + version + " is not serving on route '" + route.name()
                    + "' (serving: " + serving.stream().map(m -> m.arm().tag() + " " + m.engineName()).toList() + ")");
        }
        if (matches.size() > 1) {
            throw OpenAiError.invalid("model", "'" + model + "' is ambiguous: " + matches.stream()
                    .map(ServedRoute.Member::engineName).toList() + " all serve route '" + route.name() + "'");
        }
        return matches.get(0);
    }

    private static int[] encode(BaseModelEngines.Loaded loaded, CompletionRequest request) {
        if (request.messages() == null) {
            return loaded.folder().tokenizer().encode(request.prompt());
        }
        if (loaded.folder().chatTemplate() == null) {
            throw OpenAiError.invalid("messages", "this route's base model has no chat template the service knows; "
                    + "use /v1/completions with a prompt");
        }
        return loaded.folder().tokenizer().encode(loaded.folder().chatTemplate().render(request.messages(), true));
    }

    /** Checks the route's limits and the model's context; returns the new tokens to generate. */
    private int checkLimits(ServedRoute route, int context, CompletionRequest request, int promptTokens) {
        String promptParam = request.messages() != null ? "messages" : "prompt";
        int maxPrompt = route.maxPromptTokens() != null ? route.maxPromptTokens() : settings.maxPromptTokens();
        int maxNew = route.maxNewTokens() != null ? route.maxNewTokens() : settings.maxNewTokens();
        if (promptTokens > maxPrompt) {
            throw OpenAiError.invalid(promptParam, "context_length_exceeded", "Route '" + route.name()
                    + "' accepts prompts of at most " + maxPrompt + " tokens; this prompt has " + promptTokens + ".");
        }
        if (promptTokens >= context) {
            throw OpenAiError.invalid(promptParam, "context_length_exceeded", "This model's maximum context length is "
                    + context + " tokens; the prompt alone has " + promptTokens + ".");
        }
        if (request.maxTokens() == null) {
            return Math.min(maxNew, context - promptTokens);
        }
        if (request.maxTokens() > maxNew) {
            throw OpenAiError.invalid(request.maxTokensParam(), "Invalid '" + request.maxTokensParam() + "': route '"
                    + route.name() + "' allows at most " + maxNew + " new tokens, got " + request.maxTokens() + ".");
        }
        if (promptTokens + request.maxTokens() > context) {
            throw OpenAiError.invalid(request.maxTokensParam(), "context_length_exceeded",
                    "This model's maximum context length is " + context + " tokens. However, you requested "
                    + (promptTokens + request.maxTokens()) + " tokens (" + promptTokens + " in the prompt, "
                    + request.maxTokens() + " for the completion).");
        }
        return request.maxTokens();
    }

    static String finishReason(Generator.FinishReason r) {
        return switch (r) {
            case EOS, STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }

    /** What is needed to record a request once the engine is done with it. */
    private final class Recording {
        final String id;
        final CompletionRequest request;
        final String route;
        final ServedRoute.Member member;
        final Tags tags;
        final String caller;
        final String user;
        final long received;
        final long submitted;
        final int reserved;
        final boolean sampled;
        final Span span;

        Recording(String id, CompletionRequest request, String route, ServedRoute.Member member, Tags tags,
                  String caller, String user, long received, long submitted, int reserved, boolean sampled,
                  Span span) {
            this.id = id;
            this.request = request;
            this.route = route;
            this.member = member;
            this.tags = tags;
            this.caller = caller;
            this.user = user;
            this.received = received;
            this.submitted = submitted;
            this.reserved = reserved;
            this.sampled = sampled;
            this.span = span;
        }

        Finished finish(EngineResult r, Throwable error) {
            Duration latency = Duration.ofNanos(System.nanoTime() - received);
            if (error != null) {
                budgets.giveBack(caller, reserved);
                metrics.request(tags, "error");
                span.setAttribute(InferenceSpans.OUTCOME, "error");
                Tracing.end(span, error);
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            budgets.giveBack(caller, reserved - r.promptTokens() - r.completionTokens());
            boolean cancelled = r.finishReason() == Generator.FinishReason.CANCELLED;
            Duration ttft = r.timeToFirstToken() == null ? null : r.timeToFirstToken().plusNanos(submitted - received);
            boolean refusal = !cancelled && refusals.isRefusal(r.text());
            metrics.request(tags, cancelled ? "cancelled" : "ok");
            InferenceSpans.finished(span, cancelled ? "cancelled" : "ok", r.promptTokens(), r.completionTokens());
            metrics.tokens(tags, r.promptTokens(), r.completionTokens());
            if (!cancelled) {
                metrics.answered(tags, latency, ttft, refusal);
            }
            logWriter.write(new LoggedRequest(id, null, route, member.adapter(), member.version(), member.arm().tag(),
                    request.endpoint().tag, caller, user, cancelled ? "cancelled" : "ok",
                    finishReason(r.finishReason()), r.promptTokens(), r.completionTokens(), latency.toNanos() / 1e6,
                    ttft == null ? null : ttft.toNanos() / 1e6, refusal, sampled, request.promptText(), r.text(),
                    Instant.now(), null, null));
            span.end();
            return new Finished(r, latency, refusal);
        }
    }
}

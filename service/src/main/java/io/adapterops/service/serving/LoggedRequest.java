package io.adapterops.service.serving;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;

/**
 * One row of the request log: a served request (or a shadow copy of one, with
 * {@code primaryRequestId} naming the request it mirrored). {@code prompt} and {@code response} are
 * kept, PII redacted, only when the request was sampled; feedback is joined in when read.
 */
@Serdeable
public record LoggedRequest(String id, @Nullable String primaryRequestId, String route, String adapter, int version,
                            String arm, String endpoint, String caller, @Nullable String userId, String outcome,
                            @Nullable String finishReason, int promptTokens, int completionTokens, double latencyMs,
                            @Nullable Double ttftMs, boolean refusal, boolean sampled, @Nullable String prompt,
                            @Nullable String response, Instant createdAt, @Nullable String feedbackRating,
                            @Nullable String feedbackComment) {
}

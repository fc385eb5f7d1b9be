package io.adapterops.llm;

import java.time.Duration;

/**
 * A finished engine request as its caller sees it. {@code tokenIds} excludes the EOS token;
 * {@code timeToFirstToken} is from {@code submit} to the first token (queueing and prefill included).
 */
public record EngineResult(String text, int[] tokenIds, Generator.FinishReason finishReason, int promptTokens,
                           int completionTokens, Duration timeToFirstToken, Duration totalTime) {
}

package io.adapterops.llm;

import java.util.List;

/**
 * How to generate: length, sampling, stopping, and which adapter answers.
 *
 * @param temperature 0 for greedy decoding
 * @param topK 0 for no top-k cut
 * @param topP 1 for no nucleus cut
 * @param repetitionPenalty 1 for none (Hugging Face semantics: positive logits divided, negative multiplied)
 * @param seed seeds each prompt's own random generator, so a prompt samples the same alone or in a batch
 * @param stop strings that end the text (not included in it)
 * @param useCache false recomputes the whole sequence every step (for checking the cache)
 * @param adapter the LoRA adapter to use, or null for the base model
 */
public record GenerationOptions(int maxNewTokens, double temperature, int topK, double topP,
                                double repetitionPenalty, long seed, List<String> stop, boolean useCache,
                                String adapter) {

    public GenerationOptions {
        stop = List.copyOf(stop);
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
        }
        if (temperature < 0 || topK < 0 || topP <= 0 || topP > 1 || repetitionPenalty <= 0) {
            throw new IllegalArgumentException("need temperature >= 0, topK >= 0, 0 < topP <= 1, repetitionPenalty > 0");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("empty stop string");
        }
    }

    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0, 0, 1, 1, 0, List.of(), true, null);
    }

    public GenerationOptions withSampling(double temperature, int topK, double topP, long seed) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stop, useCache, adapter);
    }

    public GenerationOptions withRepetitionPenalty(double penalty) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, penalty, seed, stop, useCache, adapter);
    }

    public GenerationOptions withStop(List<String> stopStrings) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stopStrings, useCache, adapter);
    }

    public GenerationOptions withCache(boolean cache) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stop, cache, adapter);
    }

    public GenerationOptions withAdapter(String name) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stop, useCache, name);
    }
}

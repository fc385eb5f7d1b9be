package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Normalisation and token F1 follow the official SQuAD v1.1 evaluate script. Expected values are
 * the published examples of Hugging Face's wrappers of it: repository huggingface/evaluate, files
 * metrics/squad/README.md and metrics/exact_match/README.md.
 */
class AnswerMatchTest {

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    @Test
    void exactMatchMatchesTheExactMatchMetricExample() {
        List<String> refs = List.of("the cat", "theater", "YELLING", "agent007");
        List<String> preds = List.of("cat?", "theater", "yelling", "agent");
        List<Double> scores = new java.util.ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            scores.add(AnswerMatch.exactMatch(preds.get(i), List.of(refs.get(i))));
        }
        assertEquals(0.25, mean(scores), 1e-4);
    }

    @Test
    void exactMatchOfSentencesMatchesTheExactMatchMetricExample() {
        List<String> refs = List.of("The cat sat on the mat.", "Theaters are great.", "It's like comparing oranges and apples.");
        List<String> preds = List.of("The cat sat on the mat?", "Theaters are great.", "It's like comparing apples and oranges.");
        double sum = 0;
        for (int i = 0; i < refs.size(); i++) {
            sum += AnswerMatch.exactMatch(preds.get(i), List.of(refs.get(i)));
        }
        assertEquals(0.3333, sum / 3, 1e-4);
    }

    @Test
    void squadScoresMatchTheSquadMetricPartialMatchExample() {
        List<String> preds = List.of("1976", "Beyonce", "climate change");
        List<String> refs = List.of("1976", "Beyoncé and Bruno Mars", "climate change");
        double em = 0;
        double f1 = 0;
        for (int i = 0; i < 3; i++) {
            em += AnswerMatch.normalizedExactMatch(preds.get(i), List.of(refs.get(i)));
            f1 += AnswerMatch.tokenF1(preds.get(i), List.of(refs.get(i)));
        }
        assertEquals(66.66666666666667, 100 * em / 3, 1e-4);
        assertEquals(66.66666666666667, 100 * f1 / 3, 1e-4);
    }

    @Test
    void squadScoresAreZeroForTheNoMatchExample() {
        assertEquals(0.0, AnswerMatch.normalizedExactMatch("1999", List.of("1976")), 0.0);
        assertEquals(0.0, AnswerMatch.tokenF1("1999", List.of("1976")), 0.0);
    }

    @Test
    void normalisationDropsCasePunctuationArticlesAndExtraSpace() {
        assertEquals("cat sat on mat", AnswerMatch.normalize("  The Cat sat on  a mat!! "));
        assertEquals(1.0, AnswerMatch.normalizedExactMatch("cat?", List.of("the cat")), 0.0);
    }

    @Test
    void noBreakSpaceSeparatesWordsAsTheSquadScriptDoes() {
        // the script's white_space_fix is ' '.join(text.split()), and Python splits on U+00A0 and U+202F
        assertEquals("cat sat", AnswerMatch.normalize("The\u00a0cat\u202fsat"));
        assertEquals(1.0, AnswerMatch.tokenF1("red\u00a0dog", "red dog"), 0.0);
    }

    @Test
    void tokenF1CountsSharedTokensAndTakesTheBestReference() {
        // prediction "the big red dog" → [big, red, dog]; reference "a red dog barks" → [red, dog, barks]
        // 2 shared: precision 2/3, recall 2/3, F1 2/3
        assertEquals(2 / 3.0, AnswerMatch.tokenF1("the big red dog", "a red dog barks"), 1e-4);
        assertEquals(1.0, AnswerMatch.tokenF1("red dog", List.of("blue cat", "the red dog")), 1e-4);
    }
}

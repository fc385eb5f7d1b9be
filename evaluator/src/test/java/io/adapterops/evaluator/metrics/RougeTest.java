package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected values are rouge-score's own: repository google-research/google-research, file
 * rouge/rouge_scorer_test.py (values from runs of ROUGE-1.5.5), with its inputs
 * rouge/testdata/target.txt, rouge/testdata/prediction.txt and
 * rouge/testdata/pyrouge_files/{target,prediction}_multi.0.txt copied into src/test/resources/rouge.
 */
class RougeTest {

    private static final double EPS = 1e-4;
    private static final List<String> TARGETS = TestResources.lines("rouge/target.txt");
    private static final List<String> PREDICTIONS = TestResources.lines("rouge/prediction.txt");

    private static void assertScore(double recall, double precision, double f, RougeScore s) {
        assertEquals(recall, s.recall(), EPS, "recall");
        assertEquals(precision, s.precision(), EPS, "precision");
        assertEquals(f, s.fmeasure(), EPS, "F1");
    }

    @Test
    void rouge1MatchesRougeScoreOnShortStrings() {
        assertScore(1 / 3.0, 1, 0.5, Rouge.words(false).rougeN(1, "testing one two", "testing"));
    }

    @Test
    void rouge2MatchesRougeScoreOnShortStrings() {
        assertScore(0.5, 1, 2 / 3.0, Rouge.words(false).rougeN(2, "testing one two", "testing one"));
    }

    @Test
    void rougeLMatchesRougeScoreForConsecutiveAndNonConsecutiveMatches() {
        assertScore(2 / 3.0, 1, 0.8, Rouge.words(false).rougeL("testing one two", "testing one"));
        assertScore(2 / 3.0, 1, 0.8, Rouge.words(false).rougeL("testing one two", "testing two"));
    }

    @Test
    void emptyPredictionScoresZeroForEveryVariant() {
        Rouge r = Rouge.words(false);
        assertScore(0, 0, 0, r.rougeN(1, "testing one two", ""));
        assertScore(0, 0, 0, r.rougeN(2, "testing one two", ""));
        assertScore(0, 0, 0, r.rougeL("testing one two", ""));
    }

    @Test
    void rouge1MatchesRouge155WithoutStemmer() {
        Rouge r = Rouge.words(false);
        assertScore(0.40741, 0.68750, 0.51163, r.rougeN(1, TARGETS.get(0), PREDICTIONS.get(0)));
        assertScore(0.40476, 0.65385, 0.50000, r.rougeN(1, TARGETS.get(1), PREDICTIONS.get(1)));
    }

    @Test
    void rouge1MatchesRouge155WithStemmer() {
        Rouge r = Rouge.words(true);
        assertScore(0.40741, 0.68750, 0.51163, r.rougeN(1, TARGETS.get(0), PREDICTIONS.get(0)));
        assertScore(0.42857, 0.69231, 0.52941, r.rougeN(1, TARGETS.get(1), PREDICTIONS.get(1)));
    }

    @Test
    void rouge2MatchesRouge155WithAndWithoutStemmer() {
        for (boolean stem : new boolean[] {false, true}) {
            Rouge r = Rouge.words(stem);
            assertScore(0.30769, 0.53333, 0.39024, r.rougeN(2, TARGETS.get(0), PREDICTIONS.get(0)));
            assertScore(0.29268, 0.48000, 0.36364, r.rougeN(2, TARGETS.get(1), PREDICTIONS.get(1)));
        }
    }

    @Test
    void rougeLMatchesRouge155WithoutStemmer() {
        Rouge r = Rouge.words(false);
        assertScore(0.40741, 0.68750, 0.51163, r.rougeL(TARGETS.get(0), PREDICTIONS.get(0)));
        assertScore(0.40476, 0.65385, 0.50000, r.rougeL(TARGETS.get(1), PREDICTIONS.get(1)));
    }

    @Test
    void rougeLMatchesRougeScoreWithStemmer() {
        // rouge-score publishes its stemmed LCS value for the summary-level variant (rougeLsum)
        String target = TestResources.text("rouge/target_multi.0.txt");
        String prediction = TestResources.text("rouge/prediction_multi.0.txt");
        assertScore(0.36538, 0.66667, 0.47205, Rouge.words(true).rougeLsum(target, prediction));
    }

    @Test
    void rougeLsumMatchesRougeScoreOnItsSectionThreeExample() {
        assertScore(0.8, 0.4, 0.5333, Rouge.words(false).rougeLsum("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5"));
        assertScore(0, 0, 0, Rouge.words(false).rougeLsum("w1 w2 w3 w4 w5", "/"));
    }

    @Test
    void characterLevelRougeScoresChineseCharacters() {
        Rouge zh = Rouge.characters();
        assertEquals(List.of("我", "爱", "北", "京", "gpu", "4"), zh.tokenize("我爱北京 GPU-4"));
        // 今天天气很好 vs 今天天气不错: 4 of 6 characters shared in order
        assertScore(4 / 6.0, 4 / 6.0, 4 / 6.0, zh.rougeN(1, "今天天气很好", "今天天气不错"));
        assertScore(3 / 5.0, 3 / 5.0, 3 / 5.0, zh.rougeN(2, "今天天气很好", "今天天气不错"));
        assertScore(4 / 6.0, 4 / 6.0, 4 / 6.0, zh.rougeL("今天天气很好", "今天天气不错"));
        assertScore(0, 0, 0, Rouge.words(false).rougeN(1, "今天天气很好", "今天天气很好"));
    }

    @Test
    void fullWidthLettersAndDigitsAreCharacterTokensInChineseRouge() {
        Rouge zh = Rouge.characters();
        assertEquals(List.of("第", "１", "章"), zh.tokenize("第１章"));
        assertEquals(List.of("ｇ", "ｐ", "ｕ", "４"), zh.tokenize("ＧＰＵ４"));
        // chapter 1 against chapter 2: two of three characters shared, not a perfect match
        assertScore(2 / 3.0, 2 / 3.0, 2 / 3.0, zh.rougeN(1, "第１章", "第２章"));
    }

    @Test
    void rougeNRejectsNonPositiveOrder() {
        assertThrows(IllegalArgumentException.class, () -> Rouge.words(false).rougeN(0, "a", "a"));
    }
}

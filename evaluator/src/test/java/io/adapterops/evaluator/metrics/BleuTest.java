package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected values are sacreBLEU's own: repository mjpost/sacrebleu, files test/test_bleu.py
 * (commit 785d26bb) and test/test_sentence_bleu.py (commit 27bec349).
 */
class BleuTest {

    private static final double EPS = 1e-4;

    // test/test_bleu.py: the README example with two reference streams
    private static final List<List<String>> REFS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));
    private static final List<String> HYPS = List.of(
            "The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

    // test/test_sentence_bleu.py: example from sacreBLEU issue #98
    private static final String SENT_REF = "producţia de zahăr brut se exprimă în zahăr alb;";
    private static final String SENT_SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

    private static Bleu bleu(BleuTokenizer tok, BleuSmoothing smoothing, Double value, boolean effectiveOrder) {
        return new Bleu(tok, smoothing, value, false, effectiveOrder, 4);
    }

    private static double sentence(String tok, String smoothing, Double value, boolean lowercase) {
        Bleu b = new Bleu(BleuTokenizer.named(tok), BleuSmoothing.named(smoothing), value, lowercase, true, 4);
        return b.corpusScore(List.of(SENT_SYS), List.of(List.of(SENT_REF)));
    }

    @Test
    void corpusBleuMatchesSacreBleuDefaults() {
        assertEquals(48.530827, Bleu.sacreDefaults().corpusScore(HYPS, REFS), EPS);
    }

    @Test
    void corpusBleuMatchesSacreBleuForEachTokenizerAndNoSmoothing() {
        assertEquals(49.1919566, bleu(BleuTokenizer.NONE, BleuSmoothing.EXP, null, false).corpusScore(HYPS, REFS), EPS);
        assertEquals(48.530827, bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.NONE, null, false).corpusScore(HYPS, REFS), EPS);
    }

    @Test
    void emptyHypothesesScoreZeroAndAreNotDropped() {
        assertEquals(0.0, Bleu.sacreDefaults().corpusScore(List.of("", "", ""), REFS), 0.0);
    }

    @Test
    void maxNgramOrderMatchesSacreBleu() {
        double[] expected = {77.65, 60.50, 53.93, 48.53, 46.14, 43.28};
        for (int order = 1; order <= 6; order++) {
            Bleu b = new Bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.EXP, null, false, false, order);
            assertEquals(expected[order - 1], b.corpusScore(HYPS, REFS), 0.005, "order " + order);
        }
    }

    @Test
    void rawCorpusBleuWithFloorSmoothingAndEffectiveOrderMatchesSacreBleu() {
        // sacrebleu.raw_corpus_bleu = tokenize none, floor smoothing, effective order
        Bleu raw = bleu(BleuTokenizer.NONE, BleuSmoothing.FLOOR, 0.01, true);
        assertEquals(0.0, raw.corpusScore(List.of("this is a test", "another test"), List.of(List.of("ref1", "ref2"))), 0.0);
        assertEquals(100.0, raw.corpusScore(List.of("this is a test"), List.of(List.of("this is a test"))), EPS);
        assertEquals(22.3606797749979, raw.corpusScore(List.of("this is a fest"), List.of(List.of("this is a test"))), EPS);
        assertEquals(36.78794411714425, raw.corpusScore(List.of("test"), List.of(List.of("a test"))), EPS);
        assertEquals(3.218297948685433, raw.corpusScore(List.of("a little test"), List.of(List.of("a test"))), EPS);
    }

    @Test
    void statisticsAndFloorOffsetMatchSacreBleu() {
        List<String> hyp = List.of("am I am a character sequence");
        List<List<String>> ref = List.of(List.of("I am a symbol string sequence a a"));
        BleuStats stats = bleu(BleuTokenizer.NONE, BleuSmoothing.FLOOR, 0.01, true).corpusStats(hyp, ref);
        assertEquals(new BleuStats(new long[] {4, 2, 1, 0}, new long[] {6, 5, 4, 3}, 6, 8), stats);
        assertEquals(15.55722182, bleu(BleuTokenizer.NONE, BleuSmoothing.FLOOR, null, true).corpusScore(hyp, ref), EPS);
        assertEquals(0.0, bleu(BleuTokenizer.NONE, BleuSmoothing.FLOOR, 0.0, true).corpusScore(hyp, ref), EPS);
    }

    @Test
    void scoringFromStatisticsMatchesSacreBleu() {
        BleuStats stats = new BleuStats(new long[] {9, 7, 5, 3}, new long[] {10, 8, 6, 4}, 11, 11);
        assertEquals(83.75922397, Bleu.sacreDefaults().score(stats), EPS);
    }

    @Test
    void degenerateStatisticsScoreZeroWithFloorSmoothing() {
        Bleu floor = bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.FLOOR, 0.0, false);
        assertEquals(0.0, floor.score(new BleuStats(new long[] {0, 0, 0, 0}, new long[] {4, 4, 2, 1}, 0, 1)), 0.0);
        assertEquals(0.0, floor.score(new BleuStats(new long[] {6, 5, 4, 0}, new long[] {6, 5, 4, 3}, 6, 6)), 0.0);
        Bleu floorTenth = bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.FLOOR, 0.1, false);
        assertEquals(0.0, floorTenth.score(new BleuStats(new long[4], new long[4], 0, 0)), 0.0);
    }

    @Test
    void sentenceBleuSmoothingMethodsMatchSacreBleu() {
        // sacreBLEU states these to three or four decimals and checks them to 1e-3
        assertEquals(8.493, sentence("13a", "exp", null, false), 1e-3);
        assertEquals(0.0, sentence("13a", "none", null, false), 1e-3);
        assertEquals(4.51688, sentence("13a", "floor", null, false), 1e-3);
        assertEquals(4.51688, sentence("13a", "floor", 0.1, false), 1e-3);
        assertEquals(10.10, sentence("13a", "floor", 0.5, false), 1e-3);
        assertEquals(14.882, sentence("13a", "add-k", null, false), 1e-3);
        assertEquals(14.882, sentence("13a", "add-k", 1.0, false), 1e-3);
        assertEquals(21.389, sentence("13a", "add-k", 2.0, false), 1e-3);
        assertEquals(7.347, sentence("none", "exp", null, false), 1e-3);
    }

    @Test
    void characterLevelBleuMatchesSacreBleuCharTokenizer() {
        assertEquals(40.8759, sentence("char", "exp", null, false), EPS);
        assertEquals(42.0267, sentence("char", "exp", null, true), EPS);
    }

    @Test
    void noMatchingUnigramScoresZeroWhateverTheSmoothing() {
        for (String smoothing : List.of("exp", "none", "floor", "add-k")) {
            Bleu b = new Bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.named(smoothing), null, false, true, 4);
            assertEquals(0.0, b.corpusScore(List.of("this is a cat"), List.of(List.of("okay thanks"))), 1e-3, smoothing);
        }
    }

    @Test
    void chineseCharacterLevelBleuRewardsSharedCharacters() {
        Bleu chars = bleu(BleuTokenizer.CHAR, BleuSmoothing.EXP, null, false);
        assertEquals(100.0, chars.corpusScore(List.of("今天天气很好"), List.of(List.of("今天天气很好"))), EPS);
        assertTrue(chars.corpusScore(List.of("今天天气不错"), List.of(List.of("今天天气很好"))) > 0);
        assertEquals(0.0, bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.EXP, null, false)
                .corpusScore(List.of("今天天气不错"), List.of(List.of("今天天气很好"))), 0.0);
    }

    @Test
    void zhTokenizerSplitsChineseCharactersAndTokenizesTheRestLikeThirteenA() {
        // tokenizer_zh.py pads each character of its _UCODE_RANGES with spaces, then applies 13a's regular
        // expressions (not its &quot; and line-break rules); sacreBLEU's source at commit f615c728 gives these tokens
        assertEquals(List.of("我", "用", "GPU", "训", "练", "，", "成", "本", "3.5", "元", "。"),
                BleuTokenizer.named("zh").tokenize("我用GPU训练，成本3.5元。"));
        assertEquals(List.of("a", "&", "quot", ";", "b"), BleuTokenizer.ZH.tokenize("a&quot;b"));
    }

    @Test
    void zhTokenizerReadsItsExtensionBRangesAsPythonComparesThem() {
        // the bound meant as U+20000 is read by Python as U+2000 then '0', so the range compares as U+2001..U+2A6D:
        // quotes and € are split off, while real Extension B ideographs (U+20000 and up) stay together
        assertEquals(List.of("“", "好", "”", "€", "5"), BleuTokenizer.ZH.tokenize("“好”€5"));
        assertEquals(List.of("𠀀𠀁"), BleuTokenizer.ZH.tokenize("𠀀𠀁"));
    }

    @Test
    void zhTokenizedBleuCountsLatinWordsWhole() {
        // zh: hyp 我 用 GPU 训 练 (5), ref adds 模 型 (7); every n-gram of the hypothesis matches (5/5, 4/4, 3/3, 2/2),
        // so BLEU is the brevity penalty exp(1 - 7/5) = 67.0320046, as BLEU(tokenize='zh') at f615c728 also gives
        // (char splits GPU into three letters and gives 75.15)
        Bleu zh = bleu(BleuTokenizer.ZH, BleuSmoothing.EXP, null, false);
        assertEquals(67.0320046, zh.corpusScore(List.of("我用GPU训练"), List.of(List.of("我用GPU训练模型"))), EPS);
    }

    @Test
    void referenceStreamOfTheWrongLengthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Bleu.sacreDefaults().corpusScore(HYPS, List.of(List.of("only one reference"))));
        assertEquals("reference stream 0 has 1 references but there are 3 hypotheses", e.getMessage());
    }

    @Test
    void noBreakAndOtherPythonOnlySpacesSplitTokensAsSacreBleuDoes() {
        // sacreBLEU ends every tokenizer with Python's str.split(), which splits on these; Java's isWhitespace does not
        for (String space : List.of("\u00a0", "\u2007", "\u202f", "\u0085")) {
            assertEquals(List.of("and", "line"), BleuTokenizer.THIRTEEN_A.tokenize("and" + space + "line"), space);
            assertEquals(List.of("and", "line"), BleuTokenizer.NONE.tokenize("and" + space + "line"), space);
            assertEquals(List.of("a", "b"), BleuTokenizer.CHAR.tokenize("a" + space + "b"), space);
        }
    }

    @Test
    void trailingNoBreakSpaceIsStrippedBeforeTheLineBreakRuleAsSacreBleuDoes() {
        // sacreBLEU right-strips with str.rstrip(), leaving "well-" whole; stripping less lets 13a's "-\n" rule eat the dash
        Bleu sentence = bleu(BleuTokenizer.THIRTEEN_A, BleuSmoothing.EXP, null, true);
        assertEquals(100.0, sentence.corpusScore(List.of("well-\n\u00a0"), List.of(List.of("well-"))), EPS);
    }

    @Test
    void thirteenATokenizerSplitsPunctuationButKeepsApostrophesAndDecimals() {
        assertEquals(List.of("It", "wasn't", "3.5", "-", "4", ",", "ok", "."),
                BleuTokenizer.THIRTEEN_A.tokenize("It wasn't 3.5-4, ok."));
    }
}

package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected values are sacreBLEU's own, from repository mjpost/sacrebleu, file test/test_chrf.py
 * (commit 078c4401, unchanged since 2.0.0), checked there to 1e-4. sacreBLEU's tests hold no chrF++
 * value; those come from the doctest examples of Hugging Face's wrapper of sacreBLEU's CHRF
 * (repository huggingface/evaluate, file metrics/chrf/chrf.py).
 */
class ChrfTest {

    private static final double EPS = 1e-4;

    private record Case(List<String> hypotheses, List<String> references, double expected) {
    }

    private static double corpus(Chrf chrf, Case c) {
        return chrf.corpusScore(c.hypotheses(), List.of(c.references()));
    }

    private static final String RISK_HYP = "risk assessment must be made of those who are qualified and expertise"
            + " in the sector - these are the scientists .";
    private static final String RISK_REF = "risk assessment has to be undertaken by those who are qualified and expert"
            + " in that area - that is the scientists .";
    private static final String OBAMA_REF = "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.";

    @Test
    void corpusChrfWithEpsilonSmoothingMatchesSacreBleu() {
        // test_chrf: corpus_chrf(..., char_order=6, word_order=0, beta=3, eps_smoothing=True)
        Chrf chrf = new Chrf(6, 0, 3, false, false, true);
        List<Case> cases = List.of(
                new Case(List.of("abcdefg"), List.of("hijklmnop"), 0.0),
                new Case(List.of("a"), List.of("b"), 0.0),
                new Case(List.of(""), List.of("b"), 0.0),
                new Case(List.of(""), List.of("ref"), 0.0),
                new Case(List.of(""), List.of("reference"), 0.0),
                new Case(List.of("aa"), List.of("ab"), 8.3333),
                new Case(List.of("a", "b"), List.of("a", "c"), 8.3333),
                new Case(List.of("a"), List.of("a"), 16.6667),
                new Case(List.of("a b c"), List.of("a b c"), 50.0),
                new Case(List.of("a b c"), List.of("abc"), 50.0),
                new Case(List.of(" " + RISK_HYP), List.of(RISK_REF), 63.361730),
                new Case(List.of(" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "),
                        List.of(OBAMA_REF), 64.1302698),
                new Case(List.of("Niemand hat die Absicht, eine Mauer zu errichten"),
                        List.of("Niemand hat die Absicht, eine Mauer zu errichten"), 100.0));
        for (Case c : cases) {
            assertEquals(c.expected(), corpus(chrf, c), EPS, c.toString());
        }
    }

    @Test
    void corpusChrfWithEffectiveOrderMatchesSacreBleu() {
        // test_chrf: corpus_chrf(..., char_order=6, word_order=0, beta=3, eps_smoothing=False)
        Chrf chrf = new Chrf(6, 0, 3, false, false, false);
        List<Case> cases = List.of(
                new Case(List.of("a"), List.of("a"), 100.0),
                new Case(List.of(""), List.of("reference"), 0.0),
                new Case(List.of("a b c"), List.of("a b c"), 100.0),
                new Case(List.of("a b c"), List.of("abc"), 100.0),
                new Case(List.of(""), List.of("c"), 0.0),
                new Case(List.of("a", "b"), List.of("a", "c"), 50.0),
                new Case(List.of("aa"), List.of("ab"), 25.0));
        for (Case c : cases) {
            assertEquals(c.expected(), corpus(chrf, c), EPS, c.toString());
        }
    }

    @Test
    void corpusChrfKeepingWhitespaceMatchesSacreBleu() {
        // test_chrf: corpus_chrf(..., char_order=6, word_order=0, beta=3, remove_whitespace=False)
        Chrf chrf = new Chrf(6, 0, 3, false, true, false);
        assertEquals(67.3481606, corpus(chrf, new Case(
                List.of("Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."), List.of(OBAMA_REF),
                0)), EPS);
        assertEquals(65.2414427, corpus(chrf, new Case(List.of(RISK_HYP), List.of(RISK_REF), 0)), EPS);
    }

    @Test
    void sentenceChrfWithEpsilonSmoothingMatchesSacreBleu() {
        // test_chrf: sentence_chrf(hypothesis, references, eps_smoothing=True), other arguments at their defaults
        Chrf chrf = new Chrf(6, 0, 2, false, false, true);
        assertEquals(39.14078509, chrf.sentenceScore(
                "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
                List.of("Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.")), EPS);
        assertEquals(31.22557079, chrf.sentenceScore(
                "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
                List.of("A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.")), EPS);
        assertEquals(57.15704367, chrf.sentenceScore(
                "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
                List.of("Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.")), EPS);
    }

    @Test
    void chrfAndChrfPlusPlusWithSacreBleuDefaultsMatchItsCorpusScores() {
        List<String> hyps = List.of("The relationship between cats and dogs is not exactly friendly.",
                "a good bookshop is just a genteel black hole that knows how to read.");
        List<List<String>> refs = List.of(List.of("The relationship between dogs and cats is not exactly friendly.",
                "A good bookshop is just a genteel Black Hole that knows how to read."));
        assertEquals(84.64214891738334, Chrf.chrf().corpusScore(hyps, refs), 1e-9);
        assertEquals(82.87263732906315, Chrf.chrfPlusPlus().corpusScore(hyps, refs), 1e-9);
        assertEquals(92.12853119829202, new Chrf(6, 2, 2, true, false, false).corpusScore(hyps, refs), 1e-9);
    }

    @Test
    void aSegmentKeepsTheStatisticsOfItsBestReference() {
        Chrf chrf = Chrf.chrfPlusPlus();
        String hyp = "The cat sat on the mat.";
        double alone = chrf.sentenceScore(hyp, List.of("The cat sat on the mat."));
        assertEquals(100.0, alone, EPS);
        assertEquals(alone, chrf.sentenceScore(hyp, List.of("A dog barked.", "The cat sat on the mat.")), 0.0);
        assertEquals(alone, chrf.sentenceScore(hyp, List.of("The cat sat on the mat.", "A dog barked.")), 0.0);
    }

    @Test
    void noBreakSpaceIsRemovedWithTheOtherWhitespace() {
        assertEquals(100.0, Chrf.chrf().sentenceScore("a\u00a0b", List.of("ab")), EPS);
    }

    @Test
    void referenceStreamOfTheWrongLengthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Chrf.chrf().corpusScore(List.of("a", "b"), List.of(List.of("a"))));
        assertEquals("reference stream 0 has 1 references but there are 2 hypotheses", e.getMessage());
    }
}

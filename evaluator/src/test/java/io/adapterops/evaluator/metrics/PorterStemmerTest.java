package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Examples from the docstrings of NLTK's nltk/stem/porter.py (repository nltk/nltk), which quote
 * Porter's paper, plus NLTK's own extensions (irregular forms, 'ies'/'ied' on four-letter words,
 * and test_stem.py's test_oed_bug: 'oed' stems to 'o').
 */
class PorterStemmerTest {

    private final PorterStemmer stemmer = new PorterStemmer();

    private void assertStems(String... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            assertEquals(pairs[i + 1], stemmer.stem(pairs[i]), pairs[i]);
        }
    }

    @Test
    void stemsThePaperExamplesOfStepOne() {
        assertStems("caresses", "caress", "ponies", "poni", "cats", "cat", "feed", "feed", "agreed", "agre",
                "plastered", "plaster", "motoring", "motor", "sing", "sing", "conflated", "conflat",
                "troubled", "troubl", "sized", "size", "hopping", "hop", "falling", "fall", "hissing", "hiss",
                "filing", "file", "happy", "happi");
    }

    @Test
    void stemsThePaperExamplesOfStepsTwoToFive() {
        assertStems("relational", "relat", "conditional", "condit", "rational", "ration", "digitizer", "digit",
                "hopefulness", "hope", "triplicate", "triplic", "formative", "form", "electrical", "electr",
                "goodness", "good", "allowance", "allow", "adjustable", "adjust", "adoption", "adopt",
                "effective", "effect", "controll", "control", "roll", "roll", "probate", "probat", "rate", "rate");
    }

    @Test
    void appliesNltkExtensions() {
        assertStems("dying", "die", "skies", "sky", "news", "news", "dies", "die", "flies", "fli", "died", "die",
                "spied", "spi", "enjoy", "enjoy", "oed", "o", "generously", "gener");
    }
}

package io.adapterops.monitoring.drift;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureProfileTest {

    @Test
    void theTokenizerSplitsOnWhitespaceAndCountsEachCjkCharacterAsAToken() {
        TextFeatures latin = TextFeatures.of("Hello,  world\tagain", "one two");
        assertEquals(3, latin.promptTokens());
        assertEquals(2, latin.responseTokens());
        assertEquals(0, latin.cjkBand());

        TextFeatures mixed = TextFeatures.of("请翻译 this", null);
        assertEquals(4, mixed.promptTokens());
        assertEquals(TextFeatures.NO_RESPONSE, mixed.responseTokens());
        // 3 CJK characters of 7 visible: 43%
        assertEquals("25_to_75pct", TextFeatures.CJK_BANDS[mixed.cjkBand()]);
    }

    @Test
    void tokenHashingIgnoresCaseAndIsStable() {
        assertArrayEquals(TextFeatures.of("Hello World", null).unigramCounts(),
                TextFeatures.of("hello world", null).unigramCounts());
        assertEquals(2, Arrays.stream(TextFeatures.of("Hello World", null).unigramCounts()).sum());
    }

    @Test
    void aProfileSurvivesAJsonRoundTripExactly() {
        FeatureProfile profile = FeatureProfile.ofDataset(
                List.of("Summarise the ticket below", "请总结以下工单", "Reset my password please", "x ".repeat(3000)),
                List.of("Done.", "好的", "Here is how", "ok"));
        String json = ProfileJson.write(profile);
        FeatureProfile back = ProfileJson.read(json);

        assertEquals(json, ProfileJson.write(back));
        assertEquals(4, back.rows());
        assertEquals(profile.numeric(Feature.PROMPT_TOKENS).populationStd(),
                back.numeric(Feature.PROMPT_TOKENS).populationStd());
        assertArrayEquals(profile.numeric(Feature.PROMPT_TOKENS).sample(),
                back.numeric(Feature.PROMPT_TOKENS).sample());
        DriftReport same = new DriftDetector(DriftOptions.defaults()).detect(back, profile);
        assertTrue(same.drifted().isEmpty());
    }

    @Test
    void aProfileOfAnotherFormatIsRefusedWithItsFormat() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProfileJson.read("{\"format\":\"other/9\"}"));
        assertTrue(e.getMessage().contains("other/9"), e.getMessage());
    }

    @Test
    void mergingTwoHalvesGivesTheProfileOfTheWhole() {
        FeatureProfile whole = new FeatureProfile(1);
        FeatureProfile first = new FeatureProfile(1);
        FeatureProfile second = new FeatureProfile(1);
        for (int i = 0; i < 5000; i++) {
            TextFeatures f = TextFeatures.of("w ".repeat(1 + i % 300), "r ".repeat(i % 7));
            whole.add(f);
            (i % 2 == 0 ? first : second).add(f);
        }
        first.merge(second);
        assertEquals(whole.rows(), first.rows());
        assertEquals(whole.numeric(Feature.PROMPT_TOKENS).mean(), first.numeric(Feature.PROMPT_TOKENS).mean(), 1e-9);
        assertEquals(whole.numeric(Feature.PROMPT_TOKENS).populationStd(),
                first.numeric(Feature.PROMPT_TOKENS).populationStd(), 1e-9);
        assertArrayEquals(whole.categorical(Feature.TOKEN_UNIGRAMS).counts(),
                first.categorical(Feature.TOKEN_UNIGRAMS).counts());
        assertEquals(1000, first.numeric(Feature.PROMPT_TOKENS).sample().length, "the merged sample stays bounded");
    }
}

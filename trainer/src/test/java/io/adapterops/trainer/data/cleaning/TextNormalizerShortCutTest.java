package io.adapterops.trainer.data.cleaning;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The short cuts for text that is already normal change no result. */
class TextNormalizerShortCutTest {
    private static final String ALPHABET = "ab Z9.\n\n  \t\r\u00a0\u3000\u200b\uff21\ufb01中文字，。한국\u0085\u007f-";

    @Test
    void normalizingWithShortCutsEqualsApplyingEveryRule() {
        Random random = new Random(5);
        List<String> differ = new ArrayList<>();
        int unchanged = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int c = 0; c < length; c++) {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String t = text.toString();
            String fast = TextNormalizer.normalize(t);
            if (!fast.equals(TextNormalizer.normalizeFully(t))) {
                differ.add(t);
            }
            unchanged += fast.equals(t) ? 1 : 0;
        }
        assertEquals(List.of(), differ);
        assertTrue(unchanged > 1_000, "too few texts took a short cut to mean anything: " + unchanged);
    }
}

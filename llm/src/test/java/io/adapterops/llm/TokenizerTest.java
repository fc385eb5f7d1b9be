package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @TempDir
    Path tmp;

    @Test
    void tinyByteLevelBpeRoundTripsAnyTextAndKeepsSpecialTokensWhole() throws Exception {
        TinyModels.writeTokenizer(tmp, ChatTemplate.CHATML, TinyModels.qwen2());
        try (TextTokenizer t = TextTokenizer.load(tmp)) {
            String text = "Hello, wörld! the theme\n\ttabs ✓ 日本 " + "x".repeat(600);
            int[] ids = t.encode(text);
            assertTrue(ids.length > 600, "no truncation at 512");
            assertEquals(text, t.decode(ids, false));
            int[] the = t.encode(" the");
            assertArrayEquals(new int[] {262}, the, "merges Ġ t, h e, Ġt he give one token");
            String chat = "<|im_start|>user\nhi<|im_end|>";
            int[] c = t.encode(chat);
            assertEquals(TinyModels.tokenId("<|im_start|>"), c[0]);
            assertEquals(TinyModels.tokenId("<|im_end|>"), c[c.length - 1]);
            assertEquals(chat, t.decode(c, false));
            assertEquals("user\nhi", t.decode(c, true));
            for (int id : t.encode(text)) {
                assertTrue(id < TinyModels.TOKENIZER_SIZE);
            }
        }
    }

    @Test
    void theIdsOnlyPathGivesDjlsIdsForEveryKindOfText() throws Exception {
        TinyModels.writeTokenizer(tmp, ChatTemplate.CHATML, TinyModels.qwen2());
        try (TextTokenizer t = TextTokenizer.load(tmp)) {
            Random rnd = new Random(7);
            List<String> texts = new ArrayList<>(List.of("", " ", "a", " the theme",
                    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>", "tabs\t✓ 日本 😀",
                    "x".repeat(3000)));
            for (int i = 0; i < 200; i++) {
                StringBuilder b = new StringBuilder();
                for (int c = rnd.nextInt(80); c > 0; c--) {
                    b.appendCodePoint(rnd.nextInt(4) == 0 ? 0x20 + rnd.nextInt(0x3000) : 0x20 + rnd.nextInt(0x5f));
                }
                texts.add(b.toString());
            }
            int tokens = 0;
            for (String text : texts) {
                int[] ids = t.encode(text);
                assertArrayEquals(t.encodeThroughDjl(text), ids, text);
                tokens += ids.length;
            }
            System.out.printf("ids-only encode matched DJL's encode on %d texts (%d tokens)%n", texts.size(), tokens);
        }
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
}

package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.adapterops.llm.TextTokenizer;
import io.adapterops.llm.TinyModels;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cutoff_len as LLaMA-Factory applies it (data/processor/processor_utils.py {@code infer_seqlen},
 * supervised.py, pairwise.py): prompt and reply share the budget, per turn.
 */
class TruncationTest {

    @TempDir
    static Path tmp;
    private static TextTokenizer tokenizer;
    private static final int EOT = TinyModels.tokenId("<|eot_id|>");
    private static final String LONG = "word ".repeat(80).strip();

    @BeforeAll
    static void load() throws Exception {
        tokenizer = TextTokenizer.load(Fixtures.tinyModel(tmp));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** The cases of LLaMA-Factory's tests/data/processor/test_processor_utils.py::test_infer_seqlen. */
    @Test
    void inferSeqlenGivesLlamaFactorysOwnTestAnswers() {
        int[][] cases = {{3000, 2000, 1000, 600, 400}, {2000, 3000, 1000, 400, 600}, {1000, 100, 1000, 900, 100},
                {100, 1000, 1000, 100, 900}, {100, 500, 1000, 100, 500}, {500, 100, 1000, 500, 100},
                {10, 10, 1000, 10, 10}};
        for (int[] c : cases) {
            assertArrayEquals(new int[] {c[3], c[4]}, ChatEncoder.inferSeqlen(c[0], c[1], c[2]));
        }
    }

    private static Conversation chat(String... turns) {
        List<Turn> t = new java.util.ArrayList<>();
        for (int i = 0; i < turns.length; i++) {
            t.add(new Turn(i % 2 == 0 ? Role.USER : Role.ASSISTANT, turns[i]));
        }
        return new Conversation(null, null, t, null);
    }

    private static int trained(Sequence s) {
        int n = 0;
        for (boolean b : s.trained()) {
            n += b ? 1 : 0;
        }
        return n;
    }

    @Test
    void aLongPromptIsCutAndAShortReplyKeepsItsEndOfTurnToken() {
        Conversation c = chat(LONG, "Open a ticket.");
        Sequence full = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer).encode(c);
        int target = trained(full);                             // "Open a ticket.<|eot_id|>"
        int cutoff = 64;                                        // target · 2 < 64: the source is cut, the reply kept

        Sequence cut = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer, cutoff).encode(c);

        System.out.printf("prompt %d + reply %d tokens at cutoff %d -> %d prompt + %d reply, last token %s%n",
                full.length() - target, target, cutoff, cut.length() - trained(cut), trained(cut),
                tokenizer.decode(new int[] {cut.ids()[cut.length() - 1]}, false));
        assertEquals(cutoff, cut.length());
        assertEquals(target, trained(cut));
        assertEquals(EOT, cut.ids()[cut.length() - 1], "the reply keeps <|eot_id|>");
    }

    @Test
    void aReplyLongerThanItsShareLosesItsTailAndEndOfTurnTokenAsInLlamaFactory() {
        Conversation c = chat("Hi", LONG);
        Sequence full = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer).encode(c);
        int source = full.length() - trained(full);
        int cutoff = 64;                                        // source · 2 < 64: the reply gets 64 − source

        Sequence cut = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer, cutoff).encode(c);

        assertEquals(cutoff - source, trained(cut));
        assertArrayEquals(java.util.Arrays.copyOf(full.ids(), cutoff), cut.ids(), "the reply's head is kept");
        assertNotEquals(EOT, cut.ids()[cut.length() - 1], "LLaMA-Factory cuts the reply's <|eot_id|> here too");
    }

    @Test
    void eachTurnGetsWhatTheTurnsBeforeItLeftAndATurnWithNoBudgetIsDropped() {
        Conversation c = chat("Hi", "Hello.", "VPN?", LONG, "Thanks", "Bye.");
        ChatEncoder uncut = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer);
        int firstPair = uncut.encode(chat("Hi", "Hello.")).length();
        int cutoff = firstPair + 40;

        Sequence cut = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer, cutoff).encode(c);

        // turn 1 fits whole; turn 2 (short prompt, long reply) takes the remaining 40; turn 3 has 0 left
        assertEquals(cutoff, cut.length());
        assertArrayEquals(java.util.Arrays.copyOf(uncut.encode(chat("Hi", "Hello.")).ids(), firstPair),
                java.util.Arrays.copyOf(cut.ids(), firstPair));
        String text = tokenizer.decode(cut.ids(), false);
        assertEquals(-1, text.indexOf("Bye."), text);
    }

    @Test
    void aPreferencePairCutsBothRepliesToTheLongerOnesShare() {
        PreferencePair p = new PreferencePair(chat("Hi"), LONG, "No.");
        Sequence[] full = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer).encode(p);
        int source = full[0].length() - trained(full[0]);
        int cutoff = 64;                                        // source · 2 < 64: replies get 64 − source

        Sequence[] cut = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer, cutoff).encode(p);

        assertEquals(cutoff - source, trained(cut[0]));
        assertEquals(trained(full[1]), trained(cut[1]), "the short rejected reply is whole");
        assertEquals(EOT, cut[1].ids()[cut[1].length() - 1]);
    }
}

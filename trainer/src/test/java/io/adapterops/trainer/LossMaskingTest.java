package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.TextTokenizer;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tokens carry loss: every assistant turn and its end marker; never system or user text. */
class LossMaskingTest {

    @TempDir
    Path tmp;
    private TextTokenizer tokenizer;

    private final Conversation twoTurns = new Conversation("You are the IT helpdesk.", null, List.of(
            new Turn(Role.USER, "My VPN drops."), new Turn(Role.ASSISTANT, "Update the client."),
            new Turn(Role.USER, "Still drops."), new Turn(Role.ASSISTANT, "Open a ticket.")), null);

    @BeforeEach
    void setUp() throws Exception {
        tokenizer = TextTokenizer.load(Fixtures.tinyModel(tmp));
    }

    @AfterEach
    void tearDown() {
        tokenizer.close();
    }

    /** The trained tokens, decoded run by run. */
    private List<String> trainedRuns(Sequence s) {
        List<String> runs = new ArrayList<>();
        List<Integer> run = new ArrayList<>();
        for (int j = 0; j <= s.length(); j++) {
            if (j < s.length() && s.trained()[j]) {
                run.add(s.ids()[j]);
            } else if (!run.isEmpty()) {
                runs.add(tokenizer.decode(run.stream().mapToInt(Integer::intValue).toArray(), false));
                run.clear();
            }
        }
        return runs;
    }

    @Test
    void everyAssistantTurnOfAMultiTurnConversationIsTrainedAndNothingElse() {
        Sequence s = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer).encode(twoTurns);

        assertEquals(List.of("Update the client.<|eot_id|>", "Open a ticket.<|eot_id|>"), trainedRuns(s));
        String all = tokenizer.decode(s.ids(), false);
        assertTrue(all.startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are the IT"),
                all);
        assertFalse(s.trained()[0]);
    }

    @Test
    void chatmlMasksTheRoleHeadersAndTrainsTheEndOfTurnMarker() {
        Sequence s = Fixtures.encoder(TrainingTemplate.CHATML, tokenizer).encode(twoTurns);

        assertEquals(List.of("Update the client.<|im_end|>\n", "Open a ticket.<|im_end|>\n"), trainedRuns(s));
    }

    @Test
    void theTrainedPromptTokenizesExactlyAsTheGeneratorTokenizesIt() {
        ChatEncoder enc = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer);
        Sequence s = enc.encode(new Conversation(null, null, List.of(new Turn(Role.USER, "Hi there"),
                new Turn(Role.ASSISTANT, "Hello.")), null));
        int[] inference = tokenizer.encode(ChatTemplate.LLAMA3.render(
                List.of(new ChatTemplate.Message("user", "Hi there")), true));

        int firstTrained = 0;
        while (!s.trained()[firstTrained]) {
            firstTrained++;
        }
        assertEquals(inference.length, firstTrained);
        assertEquals(java.util.Arrays.toString(inference),
                java.util.Arrays.toString(java.util.Arrays.copyOf(s.ids(), firstTrained)));
    }

    @Test
    void packingJoinsShortRowsUpToTheCutoffAndKeepsTheirMasks() {
        ChatEncoder enc = Fixtures.encoder(TrainingTemplate.LLAMA3, tokenizer);
        Sequence a = enc.encode(twoTurns);
        Sequence b = enc.encode(new Conversation(null, null, List.of(new Turn(Role.USER, "Hi"),
                new Turn(Role.ASSISTANT, "Hello.")), null));

        List<Sequence> packed = Packing.pack(List.of(a, b, a), a.length() + b.length());

        assertEquals(2, packed.size());
        assertEquals(a.length() + b.length(), packed.get(0).length());
        assertEquals(a.trainedCount() + b.trainedCount() + (b.trained()[0] ? 1 : 0), packed.get(0).trainedCount());
        assertEquals(List.of("Update the client.<|eot_id|>", "Open a ticket.<|eot_id|>", "Hello.<|eot_id|>"),
                trainedRuns(packed.get(0)));
    }
}

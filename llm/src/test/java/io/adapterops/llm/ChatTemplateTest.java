package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    private static final List<ChatTemplate.Message> CHAT = List.of(
            new ChatTemplate.Message("system", "You are terse."), new ChatTemplate.Message("user", "Hi!"));

    @Test
    void chatMlIsQwensFormat() {
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
                + "<|im_start|>assistant\n", ChatTemplate.CHATML.render(CHAT, true));
    }

    @Test
    void llama3IsMetasFormat() {
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", ChatTemplate.LLAMA3.render(CHAT, true));
    }

    @Test
    void alpacaUsesInstructionAndResponseHeadings() {
        assertEquals("You are terse.\n\n### Instruction:\nHi!\n\n### Response:\n", ChatTemplate.ALPACA.render(CHAT, true));
        assertEquals("You are terse.\n\n### Instruction:\nHi!\n\n", ChatTemplate.ALPACA.render(CHAT, false));
    }

    @Test
    void templatesAreChosenByNameOrRecognisedFromJinja() {
        assertEquals(ChatTemplate.CHATML, ChatTemplate.byName("qwen"));
        assertEquals(ChatTemplate.LLAMA3, ChatTemplate.byName("Llama-3"));
        assertEquals(ChatTemplate.ALPACA, ChatTemplate.byName("alpaca"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.byName("vicuna"));
        assertEquals(ChatTemplate.LLAMA3, ChatTemplate.recognise("{{ '<|start_header_id|>' + message['role'] }}"));
        assertNull(ChatTemplate.recognise("{{ messages }}"));
        assertEquals("<|im_end|>", ChatTemplate.CHATML.endOfTurn());
        assertEquals("<|eot_id|>", ChatTemplate.LLAMA3.endOfTurn());
    }
}

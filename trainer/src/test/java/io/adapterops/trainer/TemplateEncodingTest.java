package io.adapterops.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.adapterops.llm.TextTokenizer;
import io.adapterops.llm.TinyModels;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token ids and label mask per template, on LLaMA-Factory's own test conversation (MESSAGES in
 * tests/data/test_template.py). The expected pieces are written out from LLaMA-Factory's
 * src/llamafactory/data/template.py (its register_template slots, with {{content}} filled in) and,
 * for llama3 and qwen, from the expected strings of its test_encode_multiturn and
 * test_qwen2_5_template. They become ids the way its {@code _convert_elements_to_ids} does it:
 * each text element tokenized alone without special tokens, {"eos_token"} as the tokenizer's EOS
 * id, {"bos_token"} as its BOS id. The tokenizer is the tiny test model's (byte-level BPE with the
 * chat special tokens); EOS is passed as {@code <|endoftext|>} so a template's EOS is told apart
 * from its end-of-turn text.
 */
class TemplateEncodingTest {

    @TempDir
    static Path tmp;
    private static TextTokenizer tokenizer;
    private static final int BOS = TinyModels.tokenId("<|begin_of_text|>");
    private static final int EOS = TinyModels.tokenId("<|endoftext|>");

    private static final Conversation MESSAGES = new Conversation(null, null, List.of(
            new Turn(Role.USER, "How are you"), new Turn(Role.ASSISTANT, "I am fine!"),
            new Turn(Role.USER, "你好"), new Turn(Role.ASSISTANT, "很高兴认识你！")), null);

    /** One element of an encoded message: a text tokenized alone, or a special token id. */
    private record Piece(Object textOrId, boolean trained) {
    }

    private static Piece src(Object p) {
        return new Piece(p, false);
    }

    private static Piece tgt(Object p) {
        return new Piece(p, true);
    }

    @BeforeAll
    static void load() throws Exception {
        tokenizer = TextTokenizer.load(Fixtures.tinyModel(tmp));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static void assertEncodes(TrainingTemplate template, Conversation c, Piece... expected) {
        List<Integer> ids = new ArrayList<>();
        List<Boolean> mask = new ArrayList<>();
        for (Piece p : expected) {
            int[] pieceIds = p.textOrId() instanceof String s ? tokenizer.encode(s) : new int[] {(Integer) p.textOrId()};
            for (int id : pieceIds) {
                ids.add(id);
                mask.add(p.trained());
            }
        }
        Sequence s = new ChatEncoder(template, tokenizer, new TrainingTemplate.Tokens(BOS, EOS), Integer.MAX_VALUE)
                .encode(c);
        System.out.println(template.lfName() + ": " + runs(s));
        assertArrayEquals(ids.stream().mapToInt(Integer::intValue).toArray(), s.ids(), template.lfName() + " ids");
        boolean[] m = new boolean[mask.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask.get(i);
        }
        assertArrayEquals(m, s.trained(), template.lfName() + " label mask");
    }

    /** The sequence as text, trained runs in [brackets]. */
    private static String runs(Sequence s) {
        StringBuilder out = new StringBuilder();
        int j = 0;
        while (j < s.length()) {
            int k = j;
            while (k < s.length() && s.trained()[k] == s.trained()[j]) {
                k++;
            }
            String text = tokenizer.decode(java.util.Arrays.copyOfRange(s.ids(), j, k), false).replace("\n", "\\n");
            out.append(s.trained()[j] ? "[" + text + "]" : text);
            j = k;
        }
        return out.toString();
    }

    @Test
    void llama3WritesBosAndTrainsEachReplyWithItsEotId() {
        // test_encode_multiturn: prompt_str_1, answer_str_1, prompt_str_2, answer_str_2
        assertEncodes(TrainingTemplate.LLAMA3, MESSAGES,
                src(BOS), src("<|start_header_id|>user<|end_header_id|>\n\nHow are you<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n"),
                tgt("I am fine!<|eot_id|>"),
                src("<|start_header_id|>user<|end_header_id|>\n\n你好<|eot_id|><|start_header_id|>assistant"
                        + "<|end_header_id|>\n\n"),
                tgt("很高兴认识你！<|eot_id|>"));
    }

    @Test
    void qwenAddsQwen25sDefaultSystemPromptAndTrainsImEndAndNewline() {
        // test_qwen2_5_template's prompt_str + answer_str, split per turn as encode_multiturn splits it
        assertEncodes(TrainingTemplate.QWEN, MESSAGES,
                src("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                        + "<|im_end|>\n"),
                src("<|im_start|>user\nHow are you<|im_end|>\n<|im_start|>assistant\n"),
                tgt("I am fine!<|im_end|>\n"),
                src("<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n"),
                tgt("很高兴认识你！<|im_end|>\n"));
    }

    @Test
    void qwenUsesTheRowsSystemPromptInsteadOfItsDefault() {
        Conversation withSystem = new Conversation("Be brief.", null, MESSAGES.turns().subList(0, 2), null);
        assertEncodes(TrainingTemplate.QWEN, withSystem,
                src("<|im_start|>system\nBe brief.<|im_end|>\n"),
                src("<|im_start|>user\nHow are you<|im_end|>\n<|im_start|>assistant\n"),
                tgt("I am fine!<|im_end|>\n"));
    }

    @Test
    void qwen3NothinkAndChatmlHaveNoDefaultSystemPrompt() {
        Piece[] expected = {
                src("<|im_start|>user\nHow are you<|im_end|>\n<|im_start|>assistant\n"),
                tgt("I am fine!<|im_end|>\n"),
                src("<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n"),
                tgt("很高兴认识你！<|im_end|>\n")};
        assertEncodes(TrainingTemplate.QWEN3_NOTHINK, MESSAGES, expected);
        assertEncodes(TrainingTemplate.CHATML, MESSAGES, expected);
    }

    @Test
    void alpacaAddsItsDefaultSystemPromptAndTrainsTheReplyEosAndBlankLine() {
        // format_user "### Instruction:\n{{content}}\n\n### Response:\n",
        // format_assistant ["{{content}}", {"eos_token"}, "\n\n"], format_system "{{content}}"
        String system = "Below is an instruction that describes a task. Write a response that appropriately "
                + "completes the request.\n\n";
        assertEncodes(TrainingTemplate.ALPACA, MESSAGES,
                src(system), src("### Instruction:\nHow are you\n\n### Response:\n"),
                tgt("I am fine!"), tgt(EOS), tgt("\n\n"),
                src("### Instruction:\n你好\n\n### Response:\n"),
                tgt("很高兴认识你！"), tgt(EOS), tgt("\n\n"));
    }

    @Test
    void defaultTemplateEndsUserTurnsAndRepliesWithEos() {
        // format_user ["Human: {{content}}", {"eos_token"}, "\nAssistant:"],
        // format_assistant ["{{content}}", {"eos_token"}, "\n"], format_system ["System: {{content}}", eos, "\n"]
        Conversation withSystem = new Conversation("Be brief.", null, MESSAGES.turns(), null);
        assertEncodes(TrainingTemplate.DEFAULT, withSystem,
                src("System: Be brief."), src(EOS), src("\n"),
                src("Human: How are you"), src(EOS), src("\nAssistant:"),
                tgt("I am fine!"), tgt(EOS), tgt("\n"),
                src("Human: 你好"), src(EOS), src("\nAssistant:"),
                tgt("很高兴认识你！"), tgt(EOS), tgt("\n"));
    }

    @Test
    void mistralFusesTheSystemPromptIntoTheFirstInstructionAndTrainsEos() {
        // Llama2Template: format_system "{{content}}\n\n" is prepended to the first user content;
        // format_prefix {"bos_token"}, format_user "[INST] {{content}}[/INST]",
        // format_assistant [" {{content}}", {"eos_token"}]
        Conversation withSystem = new Conversation("Be brief.", null, MESSAGES.turns(), null);
        assertEncodes(TrainingTemplate.MISTRAL, withSystem,
                src(BOS), src("[INST] Be brief.\n\nHow are you[/INST]"),
                tgt(" I am fine!"), tgt(EOS),
                src("[INST] 你好[/INST]"),
                tgt(" 很高兴认识你！"), tgt(EOS));
    }

    @Test
    void everyTemplateIsFoundByLlamaFactorysName() {
        for (String name : List.of("default", "alpaca", "llama3", "qwen", "qwen3_nothink", "mistral", "chatml")) {
            assertEquals(name, TrainingTemplate.byName(name).lfName());
        }
    }
}

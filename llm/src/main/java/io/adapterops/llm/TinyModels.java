package io.adapterops.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes small, valid Hugging Face model folders with seeded random weights, so tests, the demo and
 * the embedded default need no download. The tokenizer is byte-level BPE (GPT-2 byte alphabet: any
 * text encodes), with a few merges and the special tokens of the ChatML and Llama-3 templates.
 * Weights are drawn larger than a trained model's init so that logits are peaked and greedy
 * decoding is not decided by rounding noise.
 */
public final class TinyModels {

    /** Special tokens, with ids following the 256 byte tokens and the merges. */
    public static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
            "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
    private static final List<String[]> MERGES = List.of(new String[] {"Ġ", "t"}, new String[] {"h", "e"},
            new String[] {"i", "n"}, new String[] {"Ġ", "a"}, new String[] {"e", "r"}, new String[] {"o", "n"},
            new String[] {"Ġt", "he"});
    /** Vocabulary entries that the tokenizer defines; the model's vocab may be larger (padding rows). */
    public static final int TOKENIZER_SIZE = 256 + MERGES.size() + SPECIAL_TOKENS.size();
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModels() {
    }

    public static int tokenId(String special) {
        int i = SPECIAL_TOKENS.indexOf(special);
        if (i < 0) {
            throw new IllegalArgumentException("not a special token: " + special);
        }
        return 256 + MERGES.size() + i;
    }

    /** Llama flavour: hidden 64, 2 layers, 4 query heads sharing 2 KV heads, untied head, Llama-3 chat. */
    public static LlamaConfig llama() {
        return new LlamaConfig("llama", 272, 64, 128, 2, 4, 2, 16, 1e-5, 10000.0, null, 2048, false, false, false,
                tokenId("<|begin_of_text|>"), List.of(tokenId("<|endoftext|>"), tokenId("<|eot_id|>")));
    }

    /** Qwen2 flavour: q/k/v biases, tied embeddings, ChatML. */
    public static LlamaConfig qwen2() {
        return new LlamaConfig("qwen2", 272, 64, 160, 2, 4, 2, 16, 1e-6, 1000000.0, null, 2048, true, true, false,
                null, List.of(tokenId("<|im_end|>"), tokenId("<|endoftext|>")));
    }

    /** Seeded random weights for {@code c}, by Hugging Face name. */
    public static Map<String, Safetensors.Tensor> weights(LlamaConfig c, long seed) {
        Random rnd = new Random(seed);
        Map<String, Safetensors.Tensor> w = new LinkedHashMap<>();
        LlamaModel.expectedShapes(c).forEach((name, shape) -> {
            int n = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double g = rnd.nextGaussian();
                v[i] = (float) (name.endsWith("norm.weight") ? 1 + 0.1 * g
                        : name.endsWith(".bias") ? 0.1 * g
                        : name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight") ? 0.5 * g
                        : g / Math.sqrt(shape[1]));
            }
            w.put(name, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, shape, v));
        });
        return w;
    }

    /** Writes a complete folder (config, weights, tokenizer, chat template, generation config); returns it. */
    public static Path write(Path dir, LlamaConfig c, long seed) throws IOException {
        return write(dir, c, seed, 1);
    }

    public static Path write(Path dir, LlamaConfig c, long seed, int shards) throws IOException {
        ModelFolder.write(dir, c, weights(c, seed), null, shards);
        writeTokenizer(dir, c.modelType().equals("qwen2") ? ChatTemplate.CHATML : ChatTemplate.LLAMA3, c);
        return dir;
    }

    /** Writes tokenizer.json, tokenizer_config.json and generation_config.json. */
    public static void writeTokenizer(Path dir, ChatTemplate template, LlamaConfig c) throws IOException {
        Files.createDirectories(dir);
        char[] byteChar = byteToUnicode();
        ObjectNode tok = JSON.createObjectNode();
        tok.put("version", "1.0");
        tok.putNull("truncation");
        tok.putNull("padding");
        ArrayNode added = tok.putArray("added_tokens");
        for (String s : SPECIAL_TOKENS) {
            added.addObject().put("id", tokenId(s)).put("content", s).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        tok.putNull("normalizer");
        tok.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        tok.putNull("post_processor");
        tok.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = tok.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token").putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(byteChar[b]), b);
        }
        ArrayNode merges = model.putArray("merges");
        for (int i = 0; i < MERGES.size(); i++) {
            vocab.put(MERGES.get(i)[0] + MERGES.get(i)[1], 256 + i);
            merges.add(MERGES.get(i)[0] + " " + MERGES.get(i)[1]);
        }
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tok);

        ObjectNode tc = JSON.createObjectNode();
        tc.put("tokenizer_class", "PreTrainedTokenizerFast");
        tc.put("model_max_length", c.maxPositionEmbeddings());
        tc.put("clean_up_tokenization_spaces", false);
        switch (template) {
            case CHATML -> tc.put("chat_template", "{% for message in messages %}{{'<|im_start|>' + message['role'] "
                    + "+ '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
                    + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
                    .put("eos_token", "<|im_end|>").put("pad_token", "<|endoftext|>");
            case LLAMA3 -> tc.put("chat_template", "{{ bos_token }}{% for message in messages %}"
                    + "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim"
                    + " + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}"
                    + "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
                    .put("bos_token", "<|begin_of_text|>").put("eos_token", "<|eot_id|>")
                    .put("pad_token", "<|endoftext|>");
            case ALPACA -> tc.put("chat_template", "{% for message in messages %}{% if message['role'] == 'user' %}"
                    + "{{ '### Instruction:\\n' + message['content'] + '\\n\\n' }}{% else %}"
                    + "{{ '### Response:\\n' + message['content'] + '\\n\\n' }}{% endif %}{% endfor %}"
                    + "{% if add_generation_prompt %}{{ '### Response:\\n' }}{% endif %}")
                    .put("eos_token", "<|endoftext|>").put("pad_token", "<|endoftext|>");
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);

        ObjectNode gen = JSON.createObjectNode();
        if (c.bosTokenId() != null) {
            gen.put("bos_token_id", c.bosTokenId());
        }
        c.eosTokenIds().forEach(gen.putArray("eos_token_id")::add);
        gen.put("pad_token_id", tokenId("<|endoftext|>"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("generation_config.json").toFile(), gen);
    }

    /** GPT-2's byte → printable character table used by byte-level BPE. */
    static char[] byteToUnicode() {
        char[] map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (256 + n++);
        }
        return map;
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest extends EngineTest {

    @TempDir
    Path tmp;


    private static ModelFormatException rejected(Path dir) {
        return assertThrows(ModelFormatException.class, () -> ModelFolder.load(dir, manager).close());
    }

    private static void edit(Path file, String from, String to) throws Exception {
        String s = Files.readString(file);
        assertTrue(s.contains(from), from + " not in " + file);
        Files.writeString(file, s.replace(from, to));
    }

    @Test
    void folderMetadataGivesEosIdsPadAndChatTemplate() throws Exception {
        try (ModelFolder q = ModelFolder.load(TinyModels.write(tmp.resolve("q"), TinyModels.qwen2(), 1), manager);
             ModelFolder l = ModelFolder.load(TinyModels.write(tmp.resolve("l"), TinyModels.llama(), 1), manager)) {
            assertEquals(ChatTemplate.CHATML, q.chatTemplate());
            assertEquals(ChatTemplate.LLAMA3, l.chatTemplate());
            assertEquals(Set.of(TinyModels.tokenId("<|im_end|>"), TinyModels.tokenId("<|endoftext|>")), q.eosIds());
            assertEquals(Set.of(TinyModels.tokenId("<|eot_id|>"), TinyModels.tokenId("<|endoftext|>")), l.eosIds());
            assertEquals(TinyModels.tokenId("<|endoftext|>"), q.padId());
        }
    }

    @Test
    void aSlidingWindowLimitsTheUsableLengthInsteadOfBeingIgnored() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("window"), TinyModels.qwen2(), 2);
        edit(dir.resolve("config.json"), "\"max_position_embeddings\"",
                "\"use_sliding_window\":true,\"sliding_window\":12,\"max_position_embeddings\"");
        try (ModelFolder f = ModelFolder.load(dir, manager)) {
            assertEquals(12, f.model().config().maxPositionEmbeddings());
            Generator g = new Generator(f);
            assertEquals(4, g.generate("abc", GenerationOptions.greedy(4), null).tokenIds().length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.generate("a longer prompt", GenerationOptions.greedy(8), null));
            assertTrue(e.getMessage().contains("sliding_window"), e.getMessage());
        }
        Path off = TinyModels.write(tmp.resolve("window-off"), TinyModels.qwen2(), 2);
        edit(off.resolve("config.json"), "\"max_position_embeddings\"", "\"use_sliding_window\":false,\"sliding_window\":12,\"max_position_embeddings\"");
        try (ModelFolder f = ModelFolder.load(off, manager)) {
            assertEquals(2048, f.model().config().maxPositionEmbeddings(), "an unused window changes nothing");
        }
    }

    @Test
    void shardedWeightsLoadTheSameModel() throws Exception {
        Path single = TinyModels.write(tmp.resolve("single"), TinyModels.llama(), 9);
        Path sharded = TinyModels.write(tmp.resolve("sharded"), TinyModels.llama(), 9, 3);
        assertTrue(Files.exists(sharded.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(sharded.resolve("model-00003-of-00003.safetensors")));
        int[] ids = {5, 6, 7, 8};
        try (ModelFolder a = ModelFolder.load(single, manager); ModelFolder b = ModelFolder.load(sharded, manager)) {
            float[][] la = Logits.of(a.model(), ids, null);
            float[][] lb = Logits.of(b.model(), ids, null);
            for (int i = 0; i < ids.length; i++) {
                assertArrayEquals(la[i], lb[i]);
            }
        }
    }

    @Test
    void halfPrecisionWeightsLoadAsTheirExactF32Values() throws Exception {
        LlamaConfig c = TinyModels.qwen2();
        int[] ids = {5, 6, 7, 8, 260};
        for (Safetensors.DType dtype : new Safetensors.DType[] {Safetensors.DType.BF16, Safetensors.DType.F16}) {
            java.util.Map<String, Safetensors.Tensor> narrow = new java.util.LinkedHashMap<>();
            java.util.Map<String, Safetensors.Tensor> widened = new java.util.LinkedHashMap<>();
            TinyModels.weights(c, 4).forEach((k, t) -> {
                Safetensors.Tensor n = Safetensors.Tensor.ofFloats(dtype, t.shape(), t.toFloats());
                narrow.put(k, n);
                widened.put(k, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, t.shape(), n.toFloats()));
            });
            Path dir = tmp.resolve(dtype.name());
            ModelFolder.write(dir, c, narrow, null, 1);
            TinyModels.writeTokenizer(dir, ChatTemplate.CHATML, c);
            assertEquals(dtype, Safetensors.read(dir.resolve("model.safetensors")).get("model.norm.weight").dtype());
            try (ModelFolder f = ModelFolder.load(dir, manager);
                 LlamaModel ref = LlamaModel.of(c, widened, java.util.Map.of(), dir, manager)) {
                assertEquals(0.0, Logits.maxDiff(Logits.of(ref, ids, null), Logits.of(f.model(), ids, null)), dtype.name());
            }
        }
    }

    @Test
    void truncatedWeightsNameTheFile() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.llama(), 1);
        Path w = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(w);
        Files.write(w, Arrays.copyOf(all, all.length / 2));
        ModelFormatException e = rejected(dir);
        assertEquals(w, e.file());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void configThatDoesNotMatchTheWeightsIsRejected() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.llama(), 1);
        edit(dir.resolve("config.json"), "\"intermediate_size\" : 128", "\"intermediate_size\" : 96");
        ModelFormatException e = rejected(dir);
        assertTrue(e.getMessage().contains("model.safetensors: tensor model.layers.0.mlp.gate_proj.weight has shape [128, 64]"
                + " but config.json implies [96, 64]"), e.getMessage());

        Path fewer = TinyModels.write(tmp.resolve("fewer"), TinyModels.llama(), 1);
        edit(fewer.resolve("config.json"), "\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 1");
        assertTrue(rejected(fewer).getMessage().contains("unexpected tensor model.layers.1."));

        Path more = TinyModels.write(tmp.resolve("more"), TinyModels.llama(), 1);
        edit(more.resolve("config.json"), "\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3");
        ModelFormatException m = rejected(more);
        assertEquals(more.resolve("config.json"), m.file());
        assertTrue(m.getMessage().contains("no tensor model.layers.2.input_layernorm.weight"), m.getMessage());
    }

    @Test
    void unknownArchitectureIsRejected() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.llama(), 1);
        edit(dir.resolve("config.json"), "\"model_type\" : \"llama\"", "\"model_type\" : \"gpt2\"");
        ModelFormatException e = rejected(dir);
        assertEquals(dir.resolve("config.json"), e.file());
        assertTrue(e.getMessage().contains("unknown architecture 'gpt2'"), e.getMessage());
        edit(dir.resolve("config.json"), "\"model_type\" : \"gpt2\"", "\"model_type\" : \"llama\"");
        edit(dir.resolve("config.json"), "\"rope_scaling\" : null", "\"rope_scaling\" : {\"type\": \"yarn\", \"factor\": 4}");
        assertTrue(rejected(dir).getMessage().contains("rope_scaling type 'yarn' is not supported"));
    }

    @Test
    void missingOrBrokenTokenizerIsRejected() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.llama(), 1);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
        ModelFormatException broken = rejected(dir);
        assertEquals(dir.resolve("tokenizer.json"), broken.file());
        assertTrue(broken.getMessage().contains("cannot load tokenizer"), broken.getMessage());
        Files.delete(dir.resolve("tokenizer.json"));
        ModelFormatException e = rejected(dir);
        assertEquals(dir.resolve("tokenizer.json"), e.file());
        assertTrue(e.getMessage().contains("missing tokenizer.json"), e.getMessage());
    }

    @Test
    void missingWeightsAndMissingShardsAreRejected() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.llama(), 1, 2);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertTrue(rejected(dir).getMessage().contains("shard 'model-00002-of-00002.safetensors' is missing"));
        Files.delete(dir.resolve("model.safetensors.index.json"));
        assertTrue(rejected(dir).getMessage().contains("model.safetensors: missing"));
    }
}

package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdapterTest extends EngineTest {

    /** The fields of PEFT's LoraConfig as of the 0.7–0.10 releases (the ones older releases accept). */
    static final Set<String> PEFT_LORA_CONFIG_KEYS = Set.of("alpha_pattern", "auto_mapping", "base_model_name_or_path",
            "bias", "fan_in_fan_out", "inference_mode", "init_lora_weights", "layers_pattern", "layers_to_transform",
            "lora_alpha", "lora_dropout", "modules_to_save", "peft_type", "r", "rank_pattern", "revision",
            "target_modules", "task_type", "use_rslora", "megatron_config", "megatron_core", "loftq_config");
    @TempDir
    Path tmp;
    Path modelDir;


    @BeforeEach
    void model() throws Exception {
        modelDir = TinyModels.write(tmp.resolve("model"), TinyModels.llama(), 21);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.limit()];
        b.duplicate().position(0).get(out);
        return out;
    }

    @Test
    void ourAdapterFolderReadsBackIdenticalTensorsWithOnlyPeftConfigKeys() throws Exception {
        try (ModelFolder f = ModelFolder.load(modelDir, manager)) {
            LoraConfig cfg = new LoraConfig(4, 8, 0.05, LoraTest.ALL, true, "tiny-llama");
            f.model().putAdapter("mine", cfg, LoraTest.randomAdapter(f.model(), cfg, 8));
            Path out = tmp.resolve("adapter");
            PeftAdapter.write(out, f.model(), "mine");

            PeftAdapter.Adapter back = PeftAdapter.read(out);
            assertEquals(cfg, back.config());
            Map<String, Safetensors.Tensor> original = f.model().adapterTensors("mine");
            assertEquals(original.keySet(), back.tensors().keySet());
            for (String k : original.keySet()) {
                assertArrayEquals(original.get(k).shape(), back.tensors().get(k).shape());
                assertArrayEquals(bytes(original.get(k).data()), bytes(back.tensors().get(k).data()), k);
            }
            assertArrayEquals(new long[] {4, 64},
                    back.tensors().get("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {64, 4},
                    back.tensors().get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").shape());
            assertEquals(Map.of("format", "pt"), Safetensors.metadata(out.resolve("adapter_model.safetensors")));

            JsonNode json = new ObjectMapper().readTree(out.resolve("adapter_config.json").toFile());
            Set<String> keys = new HashSet<>();
            json.fieldNames().forEachRemaining(keys::add);
            assertTrue(PEFT_LORA_CONFIG_KEYS.containsAll(keys), "only PEFT's own keys: " + keys);
            assertEquals("LORA", json.get("peft_type").asText());
            assertEquals("CAUSAL_LM", json.get("task_type").asText());
            assertEquals("none", json.get("bias").asText());
            assertEquals(8, json.get("lora_alpha").asInt());
            assertTrue(json.get("use_rslora").asBoolean());

            float[][] before = Logits.of(f.model(), LoraTest.IDS, "mine");
            PeftAdapter.load(out, f.model(), "again");
            assertEquals(0.0, Logits.maxDiff(before, Logits.of(f.model(), LoraTest.IDS, "again")));
        }
    }

    /** Writes a folder exactly as PEFT's save_pretrained does for q_proj/v_proj in bf16 (PEFT's defaults for Llama). */
    private Path peftFixture(String keyPrefix, String infix) throws Exception {
        Path dir = tmp.resolve("peft" + keyPrefix.hashCode() + infix.hashCode());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("adapter_config.json"), """
                {
                  "alpha_pattern": {},
                  "auto_mapping": null,
                  "base_model_name_or_path": "tiny-llama",
                  "bias": "none",
                  "corda_config": null,
                  "eva_config": null,
                  "exclude_modules": null,
                  "fan_in_fan_out": false,
                  "inference_mode": true,
                  "init_lora_weights": true,
                  "layer_replication": null,
                  "layers_pattern": null,
                  "layers_to_transform": null,
                  "loftq_config": {},
                  "lora_alpha": 16,
                  "lora_bias": false,
                  "lora_dropout": 0.05,
                  "megatron_config": null,
                  "megatron_core": "megatron.core",
                  "modules_to_save": null,
                  "peft_type": "LORA",
                  "r": 8,
                  "rank_pattern": {},
                  "revision": null,
                  "target_modules": ["v_proj", "q_proj"],
                  "task_type": "CAUSAL_LM",
                  "trainable_token_indices": null,
                  "use_dora": false,
                  "use_rslora": false
                }
                """);
        Random rnd = new Random(4);
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            for (String[] mod : new String[][] {{"q_proj", "64"}, {"v_proj", "32"}}) {
                String p = keyPrefix + "model.layers." + layer + ".self_attn." + mod[0];
                int out = Integer.parseInt(mod[1]);
                t.put(p + ".lora_A" + infix + "weight", bf16(new long[] {8, 64}, rnd, 0.12));
                t.put(p + ".lora_B" + infix + "weight", bf16(new long[] {out, 8}, rnd, 0.03));
            }
        }
        Safetensors.write(dir.resolve("adapter_model.safetensors"), t);
        return dir;
    }

    private static Safetensors.Tensor bf16(long[] shape, Random rnd, double std) {
        float[] v = new float[(int) (shape[0] * shape[1])];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return Safetensors.Tensor.ofFloats(Safetensors.DType.BF16, shape, v);
    }

    @Test
    void folderLaidOutAsPeftWritesItLoadsAndChangesTheOutput() throws Exception {
        Path dir = peftFixture("base_model.model.", ".");
        try (ModelFolder f = ModelFolder.load(modelDir, manager)) {
            LoraConfig cfg = PeftAdapter.load(dir, f.model(), "peft");
            assertEquals(new LoraConfig(8, 16, 0.05, List.of("v_proj", "q_proj"), false, "tiny-llama"), cfg);
            Map<String, Safetensors.Tensor> file = Safetensors.read(dir.resolve("adapter_model.safetensors"));
            Map<String, Safetensors.Tensor> loaded = f.model().adapterTensors("peft");
            assertEquals(file.keySet(), loaded.keySet());
            for (String k : file.keySet()) {
                assertArrayEquals(file.get(k).toFloats(), loaded.get(k).toFloats(), k);
            }
            assertTrue(Logits.maxDiff(Logits.of(f.model(), LoraTest.IDS, null), Logits.of(f.model(), LoraTest.IDS, "peft")) > 1e-3);
        }
    }

    private void assertRejected(Path dir, String... fragments) throws Exception {
        try (ModelFolder f = ModelFolder.load(modelDir, manager)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> PeftAdapter.load(dir, f.model(), "x"));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            for (String s : fragments) {
                assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
            }
            assertTrue(f.model().adapters().isEmpty(), "nothing half-loaded");
        }
    }

    @Test
    void misnamedKeysThatPeftWouldSilentlyIgnoreAreRejected() throws Exception {
        assertRejected(peftFixture("", "."), "lacks the 'base_model.model.' prefix");
        assertRejected(peftFixture("base_model.model.", ".default."), "'.default.'");
        assertRejected(peftFixture("base_model.model.", "_"), "not a LoRA weight");
    }

    @Test
    void adaptersThatDoNotFitTheModelOrConfigAreRejected() throws Exception {
        Path untargeted = peftFixture("base_model.model.", ".");
        Files.writeString(untargeted.resolve("adapter_config.json"),
                Files.readString(untargeted.resolve("adapter_config.json")).replace("[\"v_proj\", \"q_proj\"]", "[\"q_proj\"]"));
        assertRejected(untargeted, "is for v_proj, which target_modules [q_proj] does not list");

        Path wrongRank = peftFixture("base_model.model.", ".");
        Files.writeString(wrongRank.resolve("adapter_config.json"),
                Files.readString(wrongRank.resolve("adapter_config.json")).replace("\"r\": 8", "\"r\": 4"));
        assertRejected(wrongRank, "has shape [8, 64], expected [4, 64]");

        Path dora = peftFixture("base_model.model.", ".");
        Files.writeString(dora.resolve("adapter_config.json"),
                Files.readString(dora.resolve("adapter_config.json")).replace("\"use_dora\": false", "\"use_dora\": true"));
        assertRejected(dora, "adapter_config.json", "use_dora=true is not supported");

        Path deepModel = TinyModels.write(tmp.resolve("deep"), new LlamaConfig("llama", 272, 64, 128, 3, 4, 2, 16,
                1e-5, 10000.0, null, 512, false, false, false, null, List.of(1)), 2);
        try (ModelFolder deep = ModelFolder.load(deepModel, manager)) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> PeftAdapter.load(peftFixture("base_model.model.", "."), deep.model(), "x"));
            assertTrue(e.getMessage().contains("has no tensor base_model.model.model.layers.2.self_attn.q_proj.lora_A.weight"),
                    e.getMessage());
        }
    }
}

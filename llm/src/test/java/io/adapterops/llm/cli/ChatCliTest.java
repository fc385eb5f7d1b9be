package io.adapterops.llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.adapterops.llm.AdapterIncompatibleException;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.LoraConfig;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.llm.TinyModels;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The terminal chat streams the template's answer; export writes a checked, sharded merged folder. */
class ChatCliTest {

    private static final List<String> ALL =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private static Path adapter(Path model, Path dir, String baseName) throws Exception {
        try (NDManager m = Engines.newManager(); ModelFolder f = ModelFolder.load(model, m)) {
            f.model().addAdapter("x", new LoraConfig(4, 8, 0, ALL, false, baseName), 3);
            // a trained-looking adapter: B away from zero
            f.model().trainableParameters("x").forEach((k, v) -> {
                if (k.endsWith("lora_B.weight")) {
                    v.set(m.randomNormal(0, 0.05f, v.getShape(), v.getDataType()).toFloatArray());
                }
            });
            PeftAdapter.write(dir, f.model(), "x");
        }
        return dir;
    }

    @Test
    void chatStreamsTheAdaptersAnswerWithTheModelsTemplate(@TempDir Path tmp) throws Exception {
        Path model = TinyModels.write(tmp.resolve("qwen"), TinyModels.qwen2(), 51);
        Path adapter = adapter(model, tmp.resolve("ad"), model.toString());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ChatCli.chat(Map.of("model", model.toString(), "adapter", adapter.toString(), "max-new-tokens", "12"),
                new BufferedReader(new StringReader("hi\nand again\n")), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        try (NDManager m = Engines.newManager(); ModelFolder f = ModelFolder.load(model, m)) {
            PeftAdapter.load(adapter, f.model(), "ad");
            Generator.Result expected = new Generator(f).chat(List.of(new ChatTemplate.Message("user", "hi")),
                    ChatTemplate.CHATML, GenerationOptions.greedy(12).withAdapter("ad").withStop(List.of("<|im_end|>")), null);
            assertTrue(out.contains("> " + expected.text() + "\n["), "first answer streamed: " + out);
        }
        assertEquals(2, out.split("tok/s]").length - 1, "two answers");
        assertTrue(out.contains("(chatml)"));
    }

    @Test
    void exportWritesShardedMergedFolderThatReloadsWithTheAdaptersLogits(@TempDir Path tmp) throws Exception {
        Path model = TinyModels.write(tmp.resolve("llama"), TinyModels.llama(), 52);
        Path adapter = adapter(model, tmp.resolve("ad"), model.toString());
        Path out = tmp.resolve("merged");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ChatCli.export(Map.of("model", model.toString(), "adapter", adapter.toString(), "out", out.toString()),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String said = buf.toString(StandardCharsets.UTF_8);
        System.out.print(said);
        assertTrue(said.contains("max |logit| difference"), said);
        for (String file : List.of("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        try (NDManager m = Engines.newManager(); ModelFolder base = ModelFolder.load(model, m);
             ModelFolder merged = ModelFolder.load(out, m)) {
            PeftAdapter.load(adapter, base.model(), "ad");
            GenerationOptions o = GenerationOptions.greedy(16);
            assertEquals(new Generator(base).generate("Hello there", o.withAdapter("ad"), null).text(),
                    new Generator(merged).generate("Hello there", o, null).text());
            assertFalse(new Generator(base).generate("Hello there", o, null).text()
                    .equals(new Generator(merged).generate("Hello there", o, null).text()), "the adapter is in it");
        }

        Path foreign = adapter(model, tmp.resolve("foreign"), "some-other-base");
        Path out2 = tmp.resolve("merged2");
        AdapterIncompatibleException e = assertThrows(AdapterIncompatibleException.class, () -> ChatCli.export(
                Map.of("model", model.toString(), "adapter", foreign.toString(), "out", out2.toString()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("some-other-base") && e.getMessage().contains("'llama'"), e.getMessage());
        assertFalse(Files.exists(out2), "nothing written");
    }
}

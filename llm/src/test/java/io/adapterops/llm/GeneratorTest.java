package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    static NDManager manager;
    static ModelFolder llama;
    static ModelFolder qwen;
    static final List<String> PROMPTS = List.of("Hello there, the", "a", "In the beginning was the word, and");

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        manager = Engines.newManager();
        llama = ModelFolder.load(TinyModels.write(tmp.resolve("llama"), TinyModels.llama(), 31), manager);
        qwen = ModelFolder.load(TinyModels.write(tmp.resolve("qwen"), TinyModels.qwen2(), 32), manager);
        LoraConfig cfg = new LoraConfig(4, 8, 0, LoraTest.ALL, false, "tiny");
        qwen.model().putAdapter("style", cfg, LoraTest.randomAdapter(qwen.model(), cfg, 3));
    }

    @AfterAll
    static void stop() {
        llama.close();
        qwen.close();
        manager.close();
    }

    /** A generator that never stops on EOS, so runs have their full length. */
    private static Generator endless(ModelFolder f) {
        return new Generator(f.model(), f.tokenizer(), Set.of(), f.padId());
    }

    @Test
    void kvCacheGenerationEqualsFullRecomputeTokenForToken() {
        for (ModelFolder f : List.of(llama, qwen)) {
            for (GenerationOptions o : List.of(GenerationOptions.greedy(24),
                    GenerationOptions.greedy(24).withSampling(0.9, 20, 0.95, 7).withAdapter(f == qwen ? "style" : null))) {
                Generator g = endless(f);
                Generator.Result cached = g.generate(PROMPTS.get(0), o, null);
                Generator.Result full = g.generate(PROMPTS.get(0), o.withCache(false), null);
                assertEquals(24, cached.tokenIds().length);
                assertArrayEquals(full.tokenIds(), cached.tokenIds());
            }
        }
    }

    @Test
    void batchOfDifferentLengthsEqualsOneByOne() {
        for (GenerationOptions o : List.of(GenerationOptions.greedy(16),
                GenerationOptions.greedy(16).withSampling(1.0, 0, 0.9, 5).withAdapter("style"))) {
            Generator g = endless(qwen);
            List<Generator.Result> batch = g.generate(PROMPTS, o, null);
            for (int i = 0; i < PROMPTS.size(); i++) {
                Generator.Result single = g.generate(PROMPTS.get(i), o, null);
                assertArrayEquals(single.tokenIds(), batch.get(i).tokenIds(), "prompt " + i);
                assertEquals(single.text(), batch.get(i).text());
            }
            assertFalse(Arrays.equals(batch.get(0).tokenIds(), batch.get(1).tokenIds()));
        }
        List<Generator.Result> recomputed = endless(llama).generate(PROMPTS, GenerationOptions.greedy(10).withCache(false), null);
        assertArrayEquals(endless(llama).generate(PROMPTS.get(1), GenerationOptions.greedy(10), null).tokenIds(),
                recomputed.get(1).tokenIds());
    }

    @Test
    void eosStopsGenerationAndIsNotPartOfTheResult() {
        Generator.Result free = endless(llama).generate(PROMPTS.get(2), GenerationOptions.greedy(30), null);
        int eos = free.tokenIds()[12];
        int firstAt = 0;
        while (free.tokenIds()[firstAt] != eos) {
            firstAt++;
        }
        Generator g = new Generator(llama.model(), llama.tokenizer(), Set.of(eos), llama.padId());
        Generator.Result r = g.generate(PROMPTS.get(2), GenerationOptions.greedy(30), null);
        assertEquals(Generator.FinishReason.EOS, r.finishReason());
        assertArrayEquals(Arrays.copyOf(free.tokenIds(), firstAt), r.tokenIds());
        assertEquals(Generator.FinishReason.LENGTH, free.finishReason());
    }

    @Test
    void stopStringsCutTheTextAndStreamingNeverShowsThem() {
        Generator g = endless(llama);
        Generator.Result free = g.generate(PROMPTS.get(0), GenerationOptions.greedy(40), null);
        String stop = free.text().substring(20, 23);
        int cut = free.text().indexOf(stop);
        List<Generator.Token> events = new ArrayList<>();
        Generator.Result r = g.generate(PROMPTS.get(0), GenerationOptions.greedy(40).withStop(List.of(stop)), events::add);
        assertEquals(Generator.FinishReason.STOP, r.finishReason());
        assertEquals(free.text().substring(0, cut), r.text());
        StringBuilder streamed = new StringBuilder();
        for (Generator.Token t : events) {
            streamed.append(t.text());
            assertFalse(streamed.toString().contains(stop), "stop string streamed: " + streamed);
        }
        assertEquals(r.text(), streamed.toString());
        assertEquals(r.tokenIds().length, events.size());
        assertTrue(events.get(events.size() - 1).last());
    }

    @Test
    void streamingDeliversEveryTokenAndTheWholeText() {
        List<Generator.Token> events = new ArrayList<>();
        Generator.Result r = endless(qwen).generate(List.of("x", "yz"), GenerationOptions.greedy(15), events::add).get(1);
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Generator.Token t : events) {
            if (t.row() == 1) {
                ids.add(t.tokenId());
                text.append(t.text());
            }
        }
        assertArrayEquals(r.tokenIds(), ids.stream().mapToInt(Integer::intValue).toArray());
        assertEquals(r.text(), text.toString());
        assertEquals(qwen.tokenizer().decode(r.tokenIds(), false), r.text());
        assertEquals(30, events.size());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsMatter() {
        Generator g = endless(llama);
        GenerationOptions o = GenerationOptions.greedy(16).withSampling(1.5, 0, 1.0, 42);
        int[] a = g.generate(PROMPTS.get(0), o, null).tokenIds();
        assertArrayEquals(a, g.generate(PROMPTS.get(0), o, null).tokenIds());
        assertFalse(Arrays.equals(a, g.generate(PROMPTS.get(0), o.withSampling(1.5, 0, 1.0, 43), null).tokenIds()));
        int[] greedy = g.generate(PROMPTS.get(0), GenerationOptions.greedy(16), null).tokenIds();
        assertArrayEquals(greedy, g.generate(PROMPTS.get(0), o.withSampling(1.5, 1, 1.0, 9), null).tokenIds(), "top-k 1");
        assertArrayEquals(greedy, g.generate(PROMPTS.get(0), o.withSampling(1.5, 0, 1e-6, 9), null).tokenIds(), "tiny top-p");
        assertNotEquals(greedy.length, 0);
    }

    @Test
    void chatUsesTheFoldersTemplate() {
        List<ChatTemplate.Message> msgs = List.of(new ChatTemplate.Message("user", "hi"));
        Generator g = new Generator(qwen);
        Generator.Result viaChat = g.chat(msgs, qwen.chatTemplate(), GenerationOptions.greedy(5), null);
        Generator.Result direct = g.generate("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", GenerationOptions.greedy(5), null);
        assertArrayEquals(direct.tokenIds(), viaChat.tokenIds());
        assertEquals(qwen.tokenizer().encode(ChatTemplate.CHATML.render(msgs, true)).length, viaChat.promptTokens());
        assertEquals(direct.promptTokens(), viaChat.promptTokens());
    }
}

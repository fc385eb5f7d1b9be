package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Continuous batching with per-row adapters gives each request what it would get alone. */
class EngineBatchingTest extends EngineTest {

    static ModelFolder llama;
    static Path adapterA;
    static Path adapterB;
    static Path adapterQv;
    static final int[] PROMPT = {72, 101, 108, 108, 111, 32, 116, 104, 101};

    @BeforeAll
    static void load(@TempDir Path tmp) throws Exception {
        llama = ModelFolder.load(TinyModels.write(tmp.resolve("llama"), TinyModels.llama(), 41), manager);
        adapterA = EngineFixture.adapter(llama, tmp.resolve("a"), 4, LoraTest.ALL, 1);
        adapterB = EngineFixture.adapter(llama, tmp.resolve("b"), 8, LoraTest.ALL, 2);
        adapterQv = EngineFixture.adapter(llama, tmp.resolve("qv"), 2, List.of("q_proj", "v_proj"), 3);
    }

    @AfterAll
    static void close() {
        llama.close();
    }

    /** Logits of the whole sequence from the plain single-request forward pass (no cache), per position. */
    private static float[][] reference(int[] prompt, int[] generated, String adapter) {
        int[] all = new int[prompt.length + generated.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return Logits.of(llama.model(), all, adapter);
    }

    /** Masked (a few adapters) and gathered per row (limit 0: any adapter is gathered). */
    @ParameterizedTest(name = "masked up to {0} adapters")
    @ValueSource(ints = {BatchedLora.MASKED_LIMIT, 0})
    void aRequestGetsTheSameTokensAndLogitsAloneAndInABatchOfOtherAdaptersJoiningAtDifferentSteps(int maskedLimit)
            throws Exception {
        PeftAdapter.load(adapterA, llama.model(), "a"); // for the single-request reference pass
        Map<Long, List<float[]>> logits = new ConcurrentHashMap<>();
        try (InferenceEngine engine = EngineFixture.endless(llama, EngineFixture.config(llama))) {
            engine.maskedAdapterLimit = maskedLimit;
            engine.logitsTap = (id, l) -> logits.computeIfAbsent(id, k -> new ArrayList<>()).add(l);
            engine.adapters().register("a", adapterA);
            engine.adapters().register("b", adapterB);
            engine.adapters().register("qv", adapterQv);

            GenerationHandle alone = engine.submit(EngineRequest.ofIds(PROMPT, EngineFixture.greedy(24, "a")));
            EngineResult aloneResult = EngineFixture.await(alone);
            assertEquals(24, aloneResult.tokenIds().length);

            // Others start first, with other adapters and none; the request joins after they have run a few steps,
            // and one more joins after it.
            List<GenerationHandle> others = new ArrayList<>();
            others.add(engine.submit(EngineRequest.ofIds(new int[] {1, 2, 3}, EngineFixture.greedy(60, "b"))));
            others.add(engine.submit(EngineRequest.ofIds(new int[] {50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150},
                    EngineFixture.greedy(60, null))));
            others.add(engine.submit(EngineRequest.ofIds(new int[] {7}, EngineFixture.greedy(60, "qv"))));
            for (GenerationHandle h : others) {
                for (int i = 0; i < 5; i++) {
                    h.next();
                }
            }
            GenerationHandle inBatch = engine.submit(EngineRequest.ofIds(PROMPT, EngineFixture.greedy(24, "a")));
            inBatch.next();
            inBatch.next();
            others.add(engine.submit(EngineRequest.ofIds(new int[] {200, 201}, EngineFixture.greedy(10, "b"))));
            EngineResult batchResult = EngineFixture.await(inBatch);
            for (GenerationHandle h : others) {
                EngineFixture.await(h);
            }

            assertArrayEquals(aloneResult.tokenIds(), batchResult.tokenIds());
            assertEquals(aloneResult.text(), batchResult.text());
            List<float[]> a = logits.get(alone.id());
            List<float[]> b = logits.get(inBatch.id());
            assertEquals(24, a.size());
            assertEquals(24, b.size());
            float[][] ref = reference(PROMPT, aloneResult.tokenIds(), "a");
            double batchVsAlone = 0;
            double aloneVsReference = 0;
            for (int i = 0; i < 24; i++) {
                batchVsAlone = Math.max(batchVsAlone, Logits.maxDiff(new float[][] {a.get(i)}, new float[][] {b.get(i)}));
                aloneVsReference = Math.max(aloneVsReference,
                        Logits.maxDiff(new float[][] {a.get(i)}, new float[][] {ref[PROMPT.length - 1 + i]}));
            }
            System.out.printf("engine parity (masked up to %d adapters): max |logit| difference batch vs alone %.2e, "
                    + "alone vs single-request forward %.2e over 24 steps%n", maskedLimit, batchVsAlone, aloneVsReference);
            assertTrue(batchVsAlone <= 1e-4, "batch vs alone " + batchVsAlone);
            assertTrue(aloneVsReference <= 1e-4, "alone vs reference " + aloneVsReference);
        } finally {
            llama.model().removeAdapter("a");
        }
    }

    @ParameterizedTest(name = "masked up to {0} adapters")
    @ValueSource(ints = {BatchedLora.MASKED_LIMIT, 0})
    void everyRowOfAMixedBatchMatchesItsOwnAdapterAndTheBaseRowMatchesTheBase(int maskedLimit) throws Exception {
        String[] names = {"a", "b", "qv", null};
        Path[] dirs = {adapterA, adapterB, adapterQv, null};
        try (InferenceEngine engine = EngineFixture.endless(llama, EngineFixture.config(llama))) {
            engine.maskedAdapterLimit = maskedLimit;
            for (int i = 0; i < 3; i++) {
                engine.adapters().register(names[i], dirs[i]);
            }
            List<GenerationHandle> handles = new ArrayList<>();
            for (String n : names) {
                handles.add(engine.submit(EngineRequest.ofIds(PROMPT, EngineFixture.greedy(16, n))));
            }
            List<int[]> outs = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                EngineResult r = EngineFixture.await(handles.get(i));
                outs.add(r.tokenIds());
                if (names[i] != null) {
                    PeftAdapter.load(dirs[i], llama.model(), names[i]);
                }
                Generator g = new Generator(llama.model(), llama.tokenizer(), EngineFixture.none(), llama.padId());
                int[] expected = g.generateIds(List.of(PROMPT), EngineFixture.greedy(16, names[i]), null).get(0).tokenIds();
                assertArrayEquals(expected, r.tokenIds(), "row with adapter " + names[i]);
                if (names[i] != null) {
                    llama.model().removeAdapter(names[i]);
                }
            }
            assertFalse(Arrays.equals(outs.get(0), outs.get(3)), "the adapter changes the answer");
        }
    }

    /** Qwen2 keeps biases on q, k and v: the fused product carries them, with adapters mixed in the batch. */
    @ParameterizedTest(name = "masked up to {0} adapters")
    @ValueSource(ints = {BatchedLora.MASKED_LIMIT, 0})
    void qwen2RowsWithQkvBiasesMatchTheSingleRequestForward(int maskedLimit, @TempDir Path tmp) throws Exception {
        try (ModelFolder qwen = ModelFolder.load(TinyModels.write(tmp.resolve("qwen"), TinyModels.qwen2(), 43), manager)) {
            assertTrue(qwen.model().config().qkvBias());
            Path adapter = EngineFixture.adapter(qwen, tmp.resolve("qa"), 4, LoraTest.ALL, 5);
            Path other = EngineFixture.adapter(qwen, tmp.resolve("qb"), 2, List.of("q_proj", "v_proj"), 6);
            Map<Long, List<float[]>> logits = new ConcurrentHashMap<>();
            int[][] generated = new int[2][];
            GenerationHandle[] handles = new GenerationHandle[2];
            try (InferenceEngine engine = EngineFixture.endless(qwen, EngineFixture.config(qwen))) {
                engine.maskedAdapterLimit = maskedLimit;
                engine.logitsTap = (id, l) -> logits.computeIfAbsent(id, k -> new ArrayList<>()).add(l);
                engine.adapters().register("qa", adapter);
                engine.adapters().register("qb", other);
                handles[0] = engine.submit(EngineRequest.ofIds(PROMPT, EngineFixture.greedy(12, "qa")));
                handles[1] = engine.submit(EngineRequest.ofIds(PROMPT, EngineFixture.greedy(12, null)));
                GenerationHandle third = engine.submit(EngineRequest.ofIds(new int[] {5, 6}, EngineFixture.greedy(12, "qb")));
                for (int i = 0; i < 2; i++) {
                    generated[i] = EngineFixture.await(handles[i]).tokenIds();
                }
                EngineFixture.await(third);
            }
            PeftAdapter.load(adapter, qwen.model(), "qa");
            double worst = 0;
            for (int i = 0; i < 2; i++) {
                int[] all = new int[PROMPT.length + generated[i].length];
                System.arraycopy(PROMPT, 0, all, 0, PROMPT.length);
                System.arraycopy(generated[i], 0, all, PROMPT.length, generated[i].length);
                float[][] ref = Logits.of(qwen.model(), all, i == 0 ? "qa" : null);
                List<float[]> got = logits.get(handles[i].id());
                assertEquals(12, got.size());
                for (int step = 0; step < got.size(); step++) {
                    worst = Math.max(worst, Logits.maxDiff(new float[][] {got.get(step)},
                            new float[][] {ref[PROMPT.length - 1 + step]}));
                }
            }
            System.out.printf("qwen2 engine parity (masked up to %d adapters): max |logit| difference from the "
                    + "single-request forward %.2e (adapter row and base row, 12 steps each)%n", maskedLimit, worst);
            assertTrue(worst <= 1e-4, "engine vs single-request forward " + worst);
        }
    }
}

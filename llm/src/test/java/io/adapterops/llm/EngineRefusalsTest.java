package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and overload are refused at once with an error that names the problem, while the
 * requests already running go on to their full length.
 */
class EngineRefusalsTest extends EngineTest {

    static ModelFolder llama;
    static Path tmp;
    static Path good;

    @BeforeAll
    static void load(@TempDir Path dir) throws Exception {
        tmp = dir;
        llama = ModelFolder.load(TinyModels.write(tmp.resolve("llama"), TinyModels.llama(), 43), manager);
        good = EngineFixture.adapter(llama, tmp.resolve("good"), 4, LoraTest.ALL, 1);
    }

    @AfterAll
    static void close() {
        llama.close();
    }

    private static GenerationHandle longRunning(InferenceEngine engine, String adapter) {
        return engine.submit(EngineRequest.ofIds(new int[] {1, 2, 3}, EngineFixture.greedy(300, adapter)));
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
        System.out.println("refused: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    @Test
    void badRequestsAreRefusedNamingTheProblemWhileTheRunningRowFinishes() throws Exception {
        try (InferenceEngine engine = EngineFixture.endless(llama,
                EngineFixture.config(llama).withMaxNewTokensLimit(500))) {
            engine.adapters().register("good", good);
            GenerationHandle running = longRunning(engine, "good");
            running.next();

            assertMessage(assertThrows(UnknownAdapterException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[] {1}, EngineFixture.greedy(5, "nope")))), "'nope'", "good");
            int context = llama.model().config().maxPositionEmbeddings();
            assertMessage(assertThrows(IllegalArgumentException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[context + 1], EngineFixture.greedy(5, null)))),
                    (context + 1) + " tokens", "context is " + context);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[context - 3], EngineFixture.greedy(5, null)))),
                    "exceeds the model's context of " + context);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy(0)),
                    "maxNewTokens must be positive, got 0");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[] {1}, EngineFixture.greedy(501, null)))), "501", "limit of 500");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[0], EngineFixture.greedy(5, null)))), "prompt is empty");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[] {99999}, EngineFixture.greedy(5, null)))), "99999", "vocabulary");

            EngineResult r = EngineFixture.await(running);
            assertEquals(300, r.tokenIds().length);
            assertEquals(Generator.FinishReason.LENGTH, r.finishReason());
            assertEquals(3, r.promptTokens());
            assertEquals(300, r.completionTokens());
            assertTrue(r.timeToFirstToken().compareTo(r.totalTime()) <= 0);
            EngineResult after = EngineFixture.await(engine.submit(
                    EngineRequest.ofIds(new int[] {4, 5}, EngineFixture.greedy(3, "good"))));
            assertEquals(3, after.tokenIds().length, "the engine still serves");
        }
    }

    @Test
    void incompatibleAdaptersAreRefusedNamingTheAdapterAndTheBase() throws Exception {
        try (ModelFolder qwen = ModelFolder.load(TinyModels.write(tmp.resolve("qwen"), TinyModels.qwen2(), 44), manager);
             InferenceEngine engine = EngineFixture.endless(llama, EngineFixture.config(llama))) {
            GenerationHandle running = longRunning(engine, null);
            running.next();

            Path otherBase = EngineFixture.adapter(qwen, tmp.resolve("for-qwen"), 4, LoraTest.ALL, 2);
            assertMessage(assertThrows(AdapterIncompatibleException.class,
                    () -> engine.adapters().register("q", otherBase)), "'q'", "trained on base", "qwen", "'llama'");

            // Same base name, other sizes: qwen's MLP is 160 wide, the llama base's 128.
            LoraConfig cfg = new LoraConfig(4, 8, 0, List.of("gate_proj"), false, llama.dir().toString());
            Path wrongShape = tmp.resolve("wrong-shape");
            PeftAdapter.write(wrongShape, cfg, LoraTest.randomAdapter(qwen.model(), cfg, 3));
            assertMessage(assertThrows(AdapterIncompatibleException.class,
                    () -> engine.adapters().register("s", wrongShape)), "'s'", "[160, 4]", "[128, 4]", "'llama'");

            // Rank in the config differs from the tensors'.
            Path wrongRank = tmp.resolve("wrong-rank");
            Map<String, Safetensors.Tensor> r8 = LoraTest.randomAdapter(llama.model(),
                    new LoraConfig(8, 8, 0, LoraTest.ALL, false, null), 4);
            PeftAdapter.write(wrongRank, new LoraConfig(4, 8, 0, LoraTest.ALL, false, llama.dir().toString()), r8);
            assertMessage(assertThrows(AdapterIncompatibleException.class,
                    () -> engine.adapters().register("r", wrongRank)), "'r'", "r=4", "[8, 64]", "[4, 64]");

            // A target module this architecture does not have.
            Path unknownTarget = tmp.resolve("unknown-target");
            Files.createDirectories(unknownTarget);
            Files.copy(good.resolve(PeftAdapter.WEIGHTS_FILE), unknownTarget.resolve(PeftAdapter.WEIGHTS_FILE));
            Files.writeString(unknownTarget.resolve(PeftAdapter.CONFIG_FILE), Files.readString(
                    good.resolve(PeftAdapter.CONFIG_FILE)).replace("\"q_proj\"", "\"qkv_proj\""));
            assertMessage(assertThrows(AdapterIncompatibleException.class,
                    () -> engine.adapters().register("t", unknownTarget)), "'t'", "qkv_proj", "'llama'");

            assertEquals(List.of(), engine.adapters().names(), "nothing half-registered");
            assertEquals(300, EngineFixture.await(running).tokenIds().length);
        }
    }

    @Test
    void aFullQueueOrKvBudgetRefusesAtOnceAndTheQueuedRequestRunsLater() throws Exception {
        try (InferenceEngine engine = EngineFixture.endless(llama,
                EngineFixture.config(llama).withMaxBatch(1).withMaxWaiting(1))) {
            GenerationHandle running = longRunning(engine, null);
            running.next();
            GenerationHandle queued = engine.submit(EngineRequest.ofIds(new int[] {9}, EngineFixture.greedy(4, null)));
            EngineOverloadedException full = assertThrows(EngineOverloadedException.class,
                    () -> engine.submit(EngineRequest.ofIds(new int[] {9}, EngineFixture.greedy(4, null))));
            assertMessage(full, "1 of 1 rows running", "1 of 1 queue places");
            assertEquals(300, EngineFixture.await(running).tokenIds().length);
            assertEquals(4, EngineFixture.await(queued).tokenIds().length);
        }
        long perPosition = BatchKvCache.bytesPerPosition(llama.model().config());
        long budget = 4 * 320 * perPosition; // four slots of 320 positions: four 303-position rows fit, a fifth does not
        try (InferenceEngine engine = EngineFixture.endless(llama,
                EngineFixture.config(llama).withKvBudget(budget).withMaxWaiting(0))) {
            List<GenerationHandle> four = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                four.add(longRunning(engine, null));
            }
            GenerationHandle running = four.get(0);
            running.next();
            EngineOverloadedException full = assertThrows(EngineOverloadedException.class,
                    () -> engine.submit(EngineRequest.ofIds(new int[] {9}, EngineFixture.greedy(300, null))));
            assertMessage(full, "KV cache", "reserved");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[] {9}, EngineFixture.greedy(1500, null)))), "whole budget");
            for (GenerationHandle h : four) {
                assertEquals(300, EngineFixture.await(h).tokenIds().length);
            }
            assertTrue(engine.stats().kvBytes() <= budget, "KV cache within budget");
        }
    }

    @Test
    void theAdapterCacheEvictsTheLeastRecentlyUsedIdleAdapterAndNeverOneInUse() throws Exception {
        Path[] dirs = new Path[4];
        for (int i = 0; i < dirs.length; i++) {
            dirs[i] = EngineFixture.adapter(llama, tmp.resolve("lru" + i), 4, LoraTest.ALL, 10 + i);
        }
        long oneAdapter = 4L * 4 * 1024 * 2; // r × Σ(in + out) × layers × 4 bytes
        try (InferenceEngine engine = EngineFixture.endless(llama,
                EngineFixture.config(llama).withAdapterBudget(2 * oneAdapter + 100))) {
            AdapterCache cache = engine.adapters();
            cache.register("a0", dirs[0]);
            cache.register("a1", dirs[1]);
            GenerationHandle holdsA0 = longRunning(engine, "a0");
            holdsA0.next();
            cache.register("a2", dirs[2]); // evicts a1 (idle), not a0 (in use)
            assertTrue(cache.isLoaded("a0"));
            assertFalse(cache.isLoaded("a1"));
            assertTrue(cache.isLoaded("a2"));
            long loads = cache.loads();
            EngineResult viaA1 = EngineFixture.await(engine.submit(
                    EngineRequest.ofIds(new int[] {5, 6}, EngineFixture.greedy(4, "a1")))); // read again, evicting a2
            assertEquals(4, viaA1.tokenIds().length);
            assertEquals(loads + 1, cache.loads());
            assertTrue(cache.isLoaded("a0"));
            assertFalse(cache.isLoaded("a2"));
            assertTrue(cache.usedBytes() <= cache.budgetBytes());

            GenerationHandle holdsA1 = longRunning(engine, "a1");
            holdsA1.next();
            cache.register("a3", dirs[3]); // no room now, loaded on demand later
            assertFalse(cache.isLoaded("a3"));
            assertMessage(assertThrows(EngineOverloadedException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[] {5}, EngineFixture.greedy(4, "a3")))), "adapter cache is full", "'a3'");
            holdsA1.cancel();
            assertEquals(Generator.FinishReason.CANCELLED, EngineFixture.await(holdsA1).finishReason());
            assertEquals(4, EngineFixture.await(engine.submit(
                    EngineRequest.ofIds(new int[] {5}, EngineFixture.greedy(4, "a3")))).tokenIds().length);
            assertEquals(300, EngineFixture.await(holdsA0).tokenIds().length);
        }
    }

    @Test
    void unloadingAnAdapterStopsNewRequestsAtOnceAndLetsRunningOnesFinishUnchanged() throws Exception {
        try (InferenceEngine engine = EngineFixture.endless(llama, EngineFixture.config(llama))) {
            engine.adapters().register("v1", good);
            int[] expected = EngineFixture.await(engine.submit(
                    EngineRequest.ofIds(new int[] {1, 2, 3}, EngineFixture.greedy(300, "v1")))).tokenIds();
            GenerationHandle running = longRunning(engine, "v1");
            running.next();
            assertTrue(engine.adapters().unload("v1"));
            assertMessage(assertThrows(UnknownAdapterException.class, () -> engine.submit(
                    EngineRequest.ofIds(new int[] {1}, EngineFixture.greedy(5, "v1")))), "'v1'");
            EngineResult r = EngineFixture.await(running);
            assertEquals(300, r.tokenIds().length);
            assertEquals(List.of(expected.length), List.of(r.tokenIds().length));
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, r.tokenIds());
            assertEquals(0, engine.adapters().usedBytes(), "the unloaded adapter's memory is freed when its last row ends");
        }
    }
}

package io.adapterops.llm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Test helper: a tiny base model with PEFT adapter folders written for it, and engines over it. */
final class EngineFixture {

    static final LoraConfig ALL = new LoraConfig(4, 8, 0, LoraTest.ALL, false, null);

    private EngineFixture() {
    }

    /** Writes a trained-looking adapter (B not zero) for {@code folder}'s model; returns its folder. */
    static Path adapter(ModelFolder folder, Path dir, int r, List<String> targets, long seed) throws IOException {
        LoraConfig cfg = new LoraConfig(r, 2.0 * r, 0, targets, false, folder.dir().toString());
        Map<String, Safetensors.Tensor> t = LoraTest.randomAdapter(folder.model(), cfg, seed);
        PeftAdapter.write(dir, cfg, t);
        return dir;
    }

    /** An engine that ignores EOS (runs have their full length), naming the base by its folder. */
    static InferenceEngine endless(ModelFolder f, EngineConfig c) {
        return new InferenceEngine(f.model(), f.tokenizer(), Set.of(), f.chatTemplate(), c);
    }

    static EngineConfig config(ModelFolder f) {
        return EngineConfig.defaults(f.dir().getFileName().toString()).withKvBudget(256L << 20);
    }

    static EngineResult await(GenerationHandle h) throws Exception {
        return h.await(120, TimeUnit.SECONDS);
    }

    static GenerationOptions greedy(int n, String adapter) {
        return GenerationOptions.greedy(n).withAdapter(adapter);
    }

    static Set<Integer> none() {
        return Set.of();
    }
}

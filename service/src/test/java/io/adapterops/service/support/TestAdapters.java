package io.adapterops.service.support;

import ai.djl.ndarray.NDManager;
import io.adapterops.llm.Engines;
import io.adapterops.llm.LoraConfig;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.service.models.ModelStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes a real PEFT adapter folder for a base model of the server's model store. */
public final class TestAdapters {
    private TestAdapters() {
    }

    /** A freshly initialised LoRA (B = 0) for {@code baseModel}, under the server's data dir; returns its URI. */
    public static String write(TestServer server, String baseModel, String name) throws IOException {
        ModelStore store = server.context().getBean(ModelStore.class);
        Path dir = store.dataDir().resolve("adapters").resolve(name);
        try (NDManager manager = Engines.newManager(); ModelFolder folder = ModelFolder.load(store.baseModel(baseModel),
                manager)) {
            folder.model().addAdapter(name, new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj"), false, baseModel), 1);
            PeftAdapter.write(dir, folder.model(), name);
        }
        return dir.toUri().toString();
    }
}

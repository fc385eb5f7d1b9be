package io.adapterops.service.serving;

import ai.djl.ndarray.NDManager;
import io.adapterops.llm.AdapterIncompatibleException;
import io.adapterops.llm.Engines;
import io.adapterops.llm.InferenceEngine;
import io.adapterops.llm.ModelFolder;
import io.adapterops.service.models.ModelStore;
import io.adapterops.service.registry.VersionMoved;
import io.adapterops.service.registry.VersionState;
import io.adapterops.service.web.ApiException;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link InferenceEngine} per base model in this process, loaded on first use. A route member's
 * adapter is registered in the engine as {@code <adapter>@<version>} when a request first needs it;
 * a version that leaves serving (rolled back, retired, rejected, unshadowed) is unloaded once its
 * move commits, so new requests can no longer reach it while running ones finish.
 */
@Singleton
public class BaseModelEngines {
    private static final Logger LOG = LoggerFactory.getLogger(BaseModelEngines.class);
    private static final Set<VersionState> LEAVING = Set.of(VersionState.ROLLED_BACK, VersionState.RETIRED,
            VersionState.REJECTED, VersionState.EVALUATED);

    /** A loaded base model and its engine. */
    public record Loaded(NDManager manager, ModelFolder folder, InferenceEngine engine) {
        /** The model's context: prompt and new tokens together. */
        public int context() {
            return folder.model().config().maxPositionEmbeddings();
        }
    }

    private final ModelStore store;
    private final ServingSettings settings;
    private final Map<String, Loaded> engines = new ConcurrentHashMap<>();

    public BaseModelEngines(ModelStore store, ServingSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    public Loaded engine(String baseModel) {
        return engines.computeIfAbsent(baseModel, this::load);
    }

    private Loaded load(String baseModel) {
        NDManager manager = Engines.newManager();
        try {
            ModelFolder folder = ModelFolder.load(store.baseModel(baseModel), manager);
            int context = folder.model().config().maxPositionEmbeddings();
            InferenceEngine engine = new InferenceEngine(folder, settings.engine(baseModel, context));
            LOG.info("serving base model {} (context {} tokens)", baseModel, context);
            return new Loaded(manager, folder, engine);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Makes sure the member's adapter is registered; returns its engine name. */
    public String adapter(Loaded loaded, ServedRoute.Member member) {
        String name = member.engineName();
        synchronized (loaded) {
            if (!loaded.engine().adapters().names().contains(name)) {
                try {
                    loaded.engine().adapters().register(name, store.adapterFolder(member.artifactUri()));
                } catch (AdapterIncompatibleException | ApiException e) {
                    throw OpenAiError.unavailable("adapter " + name + " cannot be served: " + e.getMessage());
                }
            }
        }
        return name;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onMoved(VersionMoved e) {
        if (!LEAVING.contains(e.to())) {
            return;
        }
        String name = e.adapter() + "@" + e.version();
        for (Loaded loaded : engines.values()) {
            synchronized (loaded) {
                if (loaded.engine().adapters().unload(name)) {
                    LOG.info("unloaded adapter {}: {} -> {}", name, e.from(), e.to());
                }
            }
        }
    }

    @PreDestroy
    void close() {
        for (Loaded loaded : engines.values()) {
            loaded.engine().close();
            loaded.folder().close();
            loaded.manager().close();
        }
        engines.clear();
    }
}

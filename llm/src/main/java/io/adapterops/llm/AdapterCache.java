package io.adapterops.llm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The adapters an {@link InferenceEngine} can serve, by name, each backed by a PEFT folder. Weights
 * are read on demand into a cache with a memory budget; when it is full, the least recently used
 * adapter that no request holds is dropped (it is read again on its next use). An adapter held by a
 * queued or running request is never dropped, and there is no limit on how many names are known.
 *
 * <p>Every read checks the adapter against the loaded base (base model name, layer count, module
 * widths, target modules, rank) and refuses a mismatch naming both sides. {@link #unload} takes a
 * name away at once: new requests can no longer use it, requests already holding it finish.
 *
 * <p>Plain Java and thread-safe: the weights are host arrays; the engine's scheduler thread copies
 * the ones a step needs into its own arrays ({@link BatchedLora}).
 */
public final class AdapterCache {

    /** One module's LoRA matrices, row-major: A (r, in), B (out, r). */
    record ModuleLora(float[] a, float[] b, int r, int in, int out) {
    }

    /** An adapter's weights by module path ({@code model.layers.0.self_attn.q_proj}) and its scaling. */
    record Weights(String name, LoraConfig config, float scaling, Map<String, ModuleLora> modules, long bytes) {
    }

    /** A request's hold on an adapter: its weights stay loaded until {@link #release}. */
    public static final class Lease {
        private final Entry entry;
        private final Weights weights;
        private boolean released;

        private Lease(Entry entry, Weights weights) {
            this.entry = entry;
            this.weights = weights;
        }

        public String name() {
            return entry.name;
        }

        Weights weights() {
            return weights;
        }
    }

    private static final class Entry {
        final String name;
        final Path folder;
        Weights weights; // null when not loaded
        int pins;
        long lastUse;
        boolean unloaded;

        Entry(String name, Path folder) {
            this.name = name;
            this.folder = folder;
        }
    }

    private final LlamaModel model;
    private final String baseName;
    private final long budgetBytes;
    private final Map<String, Entry> registered = new LinkedHashMap<>();
    private final List<Entry> retiring = new ArrayList<>(); // unloaded or replaced, still held by requests
    private long clock;
    private long loads;

    AdapterCache(LlamaModel model, String baseName, long budgetBytes) {
        this.model = model;
        this.baseName = baseName;
        this.budgetBytes = budgetBytes;
    }

    /**
     * Makes an adapter folder servable under {@code name}, replacing an earlier folder of that name
     * (requests already running keep the old weights). The folder is read and checked now.
     *
     * @throws AdapterIncompatibleException when it cannot run on this base (or cannot be read)
     */
    public synchronized void register(String name, Path folder) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an adapter needs a name");
        }
        Weights w = read(name, folder);
        if (w.bytes() > budgetBytes) {
            throw new AdapterIncompatibleException("adapter '" + name + "' (" + folder + ") needs "
                    + EngineConfig.mib(w.bytes()) + ", more than the whole adapter cache budget of "
                    + EngineConfig.mib(budgetBytes));
        }
        Entry e = new Entry(name, folder);
        unload(name);
        registered.put(name, e);
        if (makeRoom(w.bytes())) {
            e.weights = w;
            e.lastUse = ++clock;
            loads++;
        }
    }

    /** Stops serving {@code name} at once; returns false when no such adapter was registered. */
    public synchronized boolean unload(String name) {
        Entry e = registered.remove(name);
        if (e == null) {
            return false;
        }
        e.unloaded = true;
        if (e.pins > 0) {
            retiring.add(e);
        } else {
            e.weights = null;
        }
        return true;
    }

    /**
     * Holds an adapter for one request, reading it first when it is not loaded.
     *
     * @throws UnknownAdapterException when no adapter has that name
     * @throws EngineOverloadedException when adapters held by requests fill the whole budget
     */
    synchronized Lease acquire(String name) {
        Entry e = registered.get(name);
        if (e == null) {
            throw new UnknownAdapterException("no adapter named '" + name + "' is registered"
                    + (registered.isEmpty() ? "" : " (known: " + new TreeSet<>(registered.keySet()) + ")"));
        }
        if (e.weights == null) {
            Weights w = read(name, e.folder);
            if (!makeRoom(w.bytes())) {
                throw new EngineOverloadedException("adapter cache is full: loading '" + name + "' needs "
                        + EngineConfig.mib(w.bytes()) + " but " + EngineConfig.mib(usedBytes()) + " of the "
                        + EngineConfig.mib(budgetBytes) + " budget is held by running requests");
            }
            e.weights = w;
            loads++;
        }
        e.pins++;
        e.lastUse = ++clock;
        return new Lease(e, e.weights);
    }

    /** Gives back a hold; idempotent. */
    synchronized void release(Lease lease) {
        if (lease == null || lease.released) {
            return;
        }
        lease.released = true;
        Entry e = lease.entry;
        e.pins--;
        e.lastUse = ++clock;
        if (e.unloaded && e.pins == 0) {
            e.weights = null;
            retiring.remove(e);
        }
    }

    /** Drops unheld adapters, least recently used first, until {@code bytes} more fit; false when they cannot. */
    private boolean makeRoom(long bytes) {
        if (bytes > budgetBytes) {
            return false;
        }
        List<Entry> idle = new ArrayList<>();
        for (Entry e : registered.values()) {
            if (e.weights != null && e.pins == 0) {
                idle.add(e);
            }
        }
        idle.sort(Comparator.comparingLong(e -> e.lastUse));
        for (Entry e : idle) {
            if (usedBytes() + bytes <= budgetBytes) {
                break;
            }
            e.weights = null;
        }
        return usedBytes() + bytes <= budgetBytes;
    }

    /** Bytes of adapter weights in memory (loaded, and retiring ones still held). */
    public synchronized long usedBytes() {
        long sum = 0;
        for (Entry e : registered.values()) {
            sum += e.weights == null ? 0 : e.weights.bytes();
        }
        for (Entry e : retiring) {
            sum += e.weights == null ? 0 : e.weights.bytes();
        }
        return sum;
    }

    public synchronized List<String> names() {
        return List.copyOf(registered.keySet());
    }

    /** Whether {@code name}'s weights are in memory now. */
    public synchronized boolean isLoaded(String name) {
        Entry e = registered.get(name);
        return e != null && e.weights != null;
    }

    /** How many times weights were read from a folder (a measure of cache misses). */
    public synchronized long loads() {
        return loads;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    // ---- reading and checking ------------------------------------------------------------------

    private String base() {
        LlamaConfig c = model.config();
        return "base '" + (baseName == null ? "?" : baseName) + "' (" + c.modelType() + ", " + c.numHiddenLayers()
                + " layers, hidden " + c.hiddenSize() + ", intermediate " + c.intermediateSize() + ")";
    }

    /** Reads an adapter folder and checks it against the base; the message names both sides. */
    Weights read(String name, Path folder) {
        String who = "adapter '" + name + "' (" + folder + ")";
        PeftAdapter.Adapter a;
        try {
            a = PeftAdapter.read(folder);
        } catch (ModelFormatException e) {
            throw new AdapterIncompatibleException(who + " cannot be served on " + base() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new AdapterIncompatibleException(who + " cannot be read: " + e.getMessage(), e);
        }
        LoraConfig cfg = a.config();
        String trainedOn = cfg.baseModel();
        if (baseName != null && trainedOn != null && !trainedOn.isBlank()
                && !lastSegment(trainedOn).equals(lastSegment(baseName))) {
            throw new AdapterIncompatibleException(who + " was trained on base '" + trainedOn
                    + "' (base_model_name_or_path in adapter_config.json), but this engine serves " + base());
        }
        Map<String, long[]> expected = model.adapterShapes(cfg);
        for (String key : a.tensors().keySet()) {
            if (!expected.containsKey(key)) {
                throw new AdapterIncompatibleException(who + " has tensor " + key + ", which matches no module of "
                        + base());
            }
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Safetensors.Tensor t = a.tensors().get(e.getKey());
            if (t == null) {
                throw new AdapterIncompatibleException(who + " has no tensor " + e.getKey() + " although target_modules "
                        + cfg.targetModules() + " lists it; " + base() + " needs it");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new AdapterIncompatibleException(who + ": tensor " + e.getKey() + " has shape "
                        + Arrays.toString(t.shape()) + " but " + base() + " with r=" + cfg.r()
                        + " needs " + Arrays.toString(e.getValue()));
            }
        }
        Map<String, ModuleLora> modules = new LinkedHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, LoraLinear> m : model.modules().entrySet()) {
            String key = LlamaModel.PEFT_PREFIX + m.getKey();
            Safetensors.Tensor ta = a.tensors().get(key + ".lora_A.weight");
            if (ta == null) {
                continue;
            }
            float[] fa = ta.toFloats();
            float[] fb = a.tensors().get(key + ".lora_B.weight").toFloats();
            modules.put(m.getKey(), new ModuleLora(fa, fb, cfg.r(), (int) m.getValue().in(), (int) m.getValue().out()));
            bytes += 4L * (fa.length + fb.length);
        }
        return new Weights(name, cfg, (float) cfg.scaling(), Collections.unmodifiableMap(modules), bytes);
    }

    private static String lastSegment(String nameOrPath) {
        String s = nameOrPath.strip().replace('\\', '/');
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.substring(s.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    }
}

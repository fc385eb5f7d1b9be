package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Llama-family causal language model (Llama, Mistral, Qwen2), read top to bottom:
 *
 * <pre>
 *   ids (batch, seq)
 *   → embed_tokens                                    (batch, seq, hidden)
 *   → layers × [ x += attention(rmsnorm(x)); x += mlp(rmsnorm(x)) ]
 *   → norm → lm_head                                  (batch, seq, vocab)
 * </pre>
 *
 * Base weights are frozen and live as long as the model; LoRA adapters are added, loaded and
 * removed by name, and every forward call names the adapter it uses (null: the base alone);
 * concurrent requests may use different adapters, but an adapter must not be removed while a
 * request still uses it. All
 * intermediate arrays land on the manager of the input ids, so a caller frees a step by closing
 * the manager (and {@code NDScope}) it created the ids in.
 */
public final class LlamaModel implements AutoCloseable {

    /** PEFT's prefix on adapter keys: {@code base_model.model.} + the module path. */
    public static final String PEFT_PREFIX = "base_model.model.";

    /** One decoder layer, in forward order. */
    record Block(RmsNorm inputNorm, Attention attention, RmsNorm postNorm, Mlp mlp) {
    }

    /**
     * Linear layers of one decoder layer that read the same input (q/k/v, gate/up), stored as one
     * matrix whose row blocks are those layers' weights: each {@link LoraLinear} holds a view of its
     * block, so the batched forward multiplies the input once by the whole matrix and splits the
     * result at {@code splits} (the first row of each block after the first).
     */
    record Fused(NDArray weight, NDArray bias, long[] splits) {
    }

    private final LlamaConfig config;
    private final NDManager manager;
    private final Rope rope;
    private final NDArray embed;  // (vocab, hidden)
    private final List<Block> blocks;
    private final RmsNorm norm;
    private final NDArray lmHead; // (vocab, hidden), the embedding itself when tied
    private final Map<String, LoraLinear> modules = new LinkedHashMap<>(); // module path → layer
    private final Map<String, LoraConfig> adapters = new ConcurrentHashMap<>();
    private final List<Fused> qkv;    // per layer: q_proj, k_proj, v_proj
    private final List<Fused> gateUp; // per layer: gate_proj, up_proj

    private LlamaModel(LlamaConfig config, NDManager manager, Map<String, NDArray> w, List<Fused> qkv,
                       List<Fused> gateUp) {
        this.config = config;
        this.manager = manager;
        this.qkv = List.copyOf(qkv);
        this.gateUp = List.copyOf(gateUp);
        this.rope = new Rope(config);
        NDArray eps = manager.create((float) config.rmsNormEps());
        NDArray minusHalf = manager.create(-0.5f);
        NDArray scale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        this.embed = w.get("model.embed_tokens.weight");
        List<Block> list = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            Attention att = new Attention(config, linear(w, p + "self_attn.q_proj"), linear(w, p + "self_attn.k_proj"),
                    linear(w, p + "self_attn.v_proj"), linear(w, p + "self_attn.o_proj"), qkv.get(i), scale);
            Mlp mlp = new Mlp(linear(w, p + "mlp.gate_proj"), linear(w, p + "mlp.up_proj"), linear(w, p + "mlp.down_proj"),
                    gateUp.get(i));
            list.add(new Block(new RmsNorm(w.get(p + "input_layernorm.weight"), eps, minusHalf), att,
                    new RmsNorm(w.get(p + "post_attention_layernorm.weight"), eps, minusHalf), mlp));
        }
        this.blocks = List.copyOf(list);
        this.norm = new RmsNorm(w.get("model.norm.weight"), eps, minusHalf);
        this.lmHead = config.tieWordEmbeddings() ? embed : w.get("lm_head.weight");
    }

    private LoraLinear linear(Map<String, NDArray> w, String path) {
        LoraLinear l = new LoraLinear(w.get(path + ".weight"), w.get(path + ".bias"));
        modules.put(path, l);
        return l;
    }

    /**
     * Builds a model from Hugging Face-named tensors, checking each against the config.
     *
     * @param origin the file each tensor came from, named in errors (config file when absent)
     */
    public static LlamaModel of(LlamaConfig config, Map<String, Safetensors.Tensor> tensors,
                                Map<String, Path> origin, Path configFile, NDManager parent) {
        Map<String, long[]> expected = expectedShapes(config);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Safetensors.Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new ModelFormatException(configFile, "the weights have no tensor " + e.getKey()
                        + " that this config needs (does config.json match the weights?)");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new ModelFormatException(origin.getOrDefault(e.getKey(), configFile), "tensor " + e.getKey()
                        + " has shape " + Arrays.toString(t.shape()) + " but config.json implies "
                        + Arrays.toString(e.getValue()) + " (config does not match the weights)");
            }
        }
        for (String name : tensors.keySet()) {
            boolean tiedHead = name.equals("lm_head.weight") && config.tieWordEmbeddings();
            if (!expected.containsKey(name) && !tiedHead && !name.endsWith("rotary_emb.inv_freq")) {
                throw new ModelFormatException(origin.getOrDefault(name, configFile), "unexpected tensor " + name
                        + " (config.json has num_hidden_layers=" + config.numHiddenLayers()
                        + "; does it match the weights?)");
            }
        }
        NDManager m = parent.newSubManager();
        Map<String, NDArray> w = new LinkedHashMap<>();
        List<Fused> qkv = new ArrayList<>();
        List<Fused> gateUp = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            qkv.add(fuse(m, tensors, w, List.of(p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj"),
                    config.qkvBias()));
            gateUp.add(fuse(m, tensors, w, List.of(p + "mlp.gate_proj", p + "mlp.up_proj"), false));
        }
        for (String name : expected.keySet()) {
            Safetensors.Tensor t = tensors.get(name);
            w.putIfAbsent(name, m.create(t.toF32Direct(), new Shape(t.shape()), DataType.FLOAT32));
        }
        return new LlamaModel(config, m, w, qkv, gateUp);
    }

    /** Stores {@code paths}' weights (and biases) as one {@link Fused} and puts each one's view into {@code w}. */
    private static Fused fuse(NDManager m, Map<String, Safetensors.Tensor> tensors, Map<String, NDArray> w,
                              List<String> paths, boolean bias) {
        NDArray weight = concat(m, tensors, paths, ".weight");
        NDArray b = bias ? concat(m, tensors, paths, ".bias") : null;
        long[] splits = new long[paths.size() - 1];
        long start = 0;
        for (int j = 0; j < paths.size(); j++) {
            long end = start + tensors.get(paths.get(j) + ".weight").shape()[0];
            if (j > 0) {
                splits[j - 1] = start;
            }
            w.put(paths.get(j) + ".weight", weight.get(start + ":" + end));
            if (b != null) {
                w.put(paths.get(j) + ".bias", b.get(start + ":" + end));
            }
            start = end;
        }
        return new Fused(weight, b, splits);
    }

    private static NDArray concat(NDManager m, Map<String, Safetensors.Tensor> tensors, List<String> paths,
                                  String suffix) {
        long rows = 0;
        long[] shape = null;
        for (String p : paths) {
            shape = tensors.get(p + suffix).shape().clone();
            rows += shape[0];
        }
        shape[0] = rows;
        ByteBuffer all = ByteBuffer.allocateDirect(Math.toIntExact(4 * new Shape(shape).size()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (String p : paths) {
            all.put(tensors.get(p + suffix).toF32Direct());
        }
        return m.create(all.flip(), new Shape(shape), DataType.FLOAT32);
    }

    /** Every tensor name this config needs, with its shape. */
    static Map<String, long[]> expectedShapes(LlamaConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long in = c.intermediateSize();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {h});
            s.put(p + "self_attn.q_proj.weight", new long[] {q, h});
            s.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            s.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            s.put(p + "self_attn.o_proj.weight", new long[] {h, q});
            if (c.qkvBias()) {
                s.put(p + "self_attn.q_proj.bias", new long[] {q});
                s.put(p + "self_attn.k_proj.bias", new long[] {kv});
                s.put(p + "self_attn.v_proj.bias", new long[] {kv});
            }
            if (c.oBias()) {
                s.put(p + "self_attn.o_proj.bias", new long[] {h});
            }
            s.put(p + "post_attention_layernorm.weight", new long[] {h});
            s.put(p + "mlp.gate_proj.weight", new long[] {in, h});
            s.put(p + "mlp.up_proj.weight", new long[] {in, h});
            s.put(p + "mlp.down_proj.weight", new long[] {h, in});
        }
        s.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return s;
    }

    public LlamaConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    // ---- the parts, for other forward passes over the same weights (BatchForward) -----------

    List<Block> blocks() {
        return blocks;
    }

    NDArray embedding() {
        return embed; // (vocab, hidden)
    }

    RmsNorm finalNorm() {
        return norm;
    }

    NDArray head() {
        return lmHead; // (vocab, hidden)
    }

    /** Layer {@code layer}'s q_proj, k_proj and v_proj as one matrix. */
    Fused qkv(int layer) {
        return qkv.get(layer);
    }

    /** Layer {@code layer}'s gate_proj and up_proj as one matrix. */
    Fused gateUp(int layer) {
        return gateUp.get(layer);
    }

    /** Every linear layer by module path ({@code model.layers.0.self_attn.q_proj}), in forward order. */
    Map<String, LoraLinear> modules() {
        return Collections.unmodifiableMap(modules);
    }

    /** Logits (batch, seq, vocab) for ids (batch, seq) from position 0, no padding, no cache. */
    public NDArray forward(NDArray ids, String adapter, boolean training) {
        return forward(ids, null, null, null, adapter, training);
    }

    /**
     * The forward pass.
     *
     * @param ids (batch, seq) int64 token ids
     * @param positions (batch, seq) RoPE positions, or null for past, past+1, …
     * @param keyMask (batch, past + seq) false where a key is padding, or null when none is
     * @param cache past keys and values, extended by this call, or null
     * @param adapter the LoRA adapter to apply, or null for the base model
     * @return logits (batch, seq, vocab)
     */
    public NDArray forward(NDArray ids, int[][] positions, boolean[][] keyMask, KvCache cache,
                           String adapter, boolean training) {
        return logits(hidden(ids, positions, keyMask, cache, adapter, training));
    }

    /**
     * The forward pass up to the final norm, without the head: a trainer that needs logits only
     * where a label exists selects those rows first and then calls {@link #logits}.
     *
     * @return (batch, seq, hidden)
     */
    public NDArray hidden(NDArray ids, int[][] positions, boolean[][] keyMask, KvCache cache,
                          String adapter, boolean training) {
        requireLoaded(adapter);
        NDManager m = ids.getManager();
        int b = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        if (positions == null) {
            positions = new int[b][t];
            for (int[] row : positions) {
                Arrays.setAll(row, j -> past + j);
            }
        }
        NDList cs = rope.tables(m, positions); // 2 × (batch, 1, seq, headDim)
        NDArray mask = mask(m, b, t, past, keyMask); // (batch, 1, seq, past + seq) or null
        NDArray x = ids.getNDArrayInternal().embedding(ids, embed, SparseFormat.DENSE).singletonOrThrow();
        for (int i = 0; i < blocks.size(); i++) {
            Block blk = blocks.get(i);
            x = x.add(blk.attention().forward(blk.inputNorm().forward(x), cs.get(0), cs.get(1), mask, cache, i,
                    adapter, training));
            x = x.add(blk.mlp().forward(blk.postNorm().forward(x), adapter, training));
        }
        return norm.forward(x); // (batch, seq, hidden)
    }

    /**
     * {@link #hidden} for sequences of different lengths from position 0, without computing their
     * padding: norms, projections, LoRA and MLP run on the real tokens alone (see {@link Unpadding}).
     *
     * @param ids every sequence's token ids, one sequence after another
     * @param lengths each sequence's length, in the same order
     * @return (n, hidden) on {@code m}, the final norm's output at each token of {@code ids}
     */
    public NDArray hiddenUnpadded(NDManager m, long[] ids, int[] lengths, String adapter, boolean training) {
        requireLoaded(adapter);
        Unpadding u = Unpadding.of(m, lengths);
        if (u.toReal().size() != ids.length) {
            throw new IllegalArgumentException(ids.length + " token ids for sequences of " + u.toReal().size()
                    + " tokens in all");
        }
        int[][] positions = new int[u.rows()][u.width()];
        for (int[] row : positions) {
            Arrays.setAll(row, j -> j);
        }
        NDList cs = rope.tables(m, positions); // 2 × (rows, 1, width, headDim)
        NDArray mask = mask(m, u.rows(), u.width(), 0, null); // causal
        NDArray tokens = m.create(ids);
        NDArray x = tokens.getNDArrayInternal().embedding(tokens, embed, SparseFormat.DENSE).singletonOrThrow();
        for (Block blk : blocks) {
            x = x.add(blk.attention().forward(blk.inputNorm().forward(x), u, cs.get(0), cs.get(1), mask, adapter,
                    training));
            x = x.add(blk.mlp().forward(blk.postNorm().forward(x), adapter, training));
        }
        return norm.forward(x); // (n, hidden)
    }

    /** Refuses an adapter name that is not loaded; null (the base alone) passes. */
    private void requireLoaded(String adapter) {
        if (adapter != null && !adapters.containsKey(adapter)) {
            throw new IllegalArgumentException("no adapter named '" + adapter + "' is loaded (loaded: "
                    + adapters.keySet() + ")");
        }
    }

    /** The head: hidden states (..., hidden) to logits (..., vocab). */
    public NDArray logits(NDArray hidden) {
        return hidden.getNDArrayInternal().linear(hidden, lmHead, null).singletonOrThrow();
    }

    private static NDArray mask(NDManager m, int b, int t, int past, boolean[][] keyMask) {
        if (t == 1 && keyMask == null) {
            return null;
        }
        int s = past + t;
        float[] mask = new float[b * t * s];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                for (int k = 0; k < s; k++) {
                    boolean visible = k <= past + j && (keyMask == null || keyMask[i][k]);
                    mask[(i * t + j) * s + k] = visible ? 0f : -1e30f;
                }
            }
        }
        return m.create(mask, new Shape(b, 1, t, s));
    }

    /** The linear layer at a module path such as {@code model.layers.0.self_attn.q_proj}. */
    LoraLinear module(String path) {
        LoraLinear l = modules.get(path);
        if (l == null) {
            throw new IllegalArgumentException("no module " + path);
        }
        return l;
    }

    // ---- adapters -------------------------------------------------------------------------

    public Set<String> adapters() {
        return Collections.unmodifiableSet(adapters.keySet());
    }

    public LoraConfig adapterConfig(String name) {
        LoraConfig c = adapters.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no adapter named '" + name + "'");
        }
        return c;
    }

    /** The PEFT keys and shapes an adapter with {@code cfg} has on this model: lora_A (r, in), lora_B (out, r). */
    public Map<String, long[]> adapterShapes(LoraConfig cfg) {
        Map<String, long[]> s = new LinkedHashMap<>();
        modules.forEach((path, l) -> {
            if (cfg.targetModules().contains(path.substring(path.lastIndexOf('.') + 1))) {
                s.put(PEFT_PREFIX + path + ".lora_A.weight", new long[] {cfg.r(), l.in()});
                s.put(PEFT_PREFIX + path + ".lora_B.weight", new long[] {l.out(), cfg.r()});
            }
        });
        return s;
    }

    /** Adds a fresh adapter: A Kaiming-uniform (PEFT's bound 1/sqrt(in)) from {@code seed}, B zero. */
    public void addAdapter(String name, LoraConfig cfg, long seed) {
        Random rnd = new Random(seed);
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        adapterShapes(cfg).forEach((key, shape) -> {
            float[] v = new float[(int) (shape[0] * shape[1])];
            if (key.endsWith("lora_A.weight")) {
                double bound = 1.0 / Math.sqrt(shape[1]);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
                }
            }
            t.put(key, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, shape, v));
        });
        putAdapter(name, cfg, t);
    }

    /** Loads an adapter from PEFT-keyed tensors; every key must be one this model expects. */
    public void putAdapter(String name, LoraConfig cfg, Map<String, Safetensors.Tensor> tensors) {
        Map<String, long[]> expected = adapterShapes(cfg);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Safetensors.Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("adapter '" + name + "' has no tensor " + e.getKey());
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("adapter tensor " + e.getKey() + " has shape "
                        + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        for (String key : tensors.keySet()) {
            if (!expected.containsKey(key)) {
                throw new IllegalArgumentException("adapter tensor " + key + " matches no targeted module of this model");
            }
        }
        removeAdapter(name);
        NDArray scaling = manager.create((float) cfg.scaling());
        modules.forEach((path, l) -> {
            Safetensors.Tensor a = tensors.get(PEFT_PREFIX + path + ".lora_A.weight");
            if (a != null) {
                Safetensors.Tensor b = tensors.get(PEFT_PREFIX + path + ".lora_B.weight");
                NDArray aa = manager.create(a.toF32Direct(), new Shape(a.shape()), DataType.FLOAT32);
                NDArray bb = manager.create(b.toF32Direct(), new Shape(b.shape()), DataType.FLOAT32);
                aa.setRequiresGradient(true);
                bb.setRequiresGradient(true);
                l.put(name, new LoraLinear.Lora(aa, bb, scaling, (float) cfg.loraDropout()));
            }
        });
        adapters.put(name, cfg);
    }

    /** Unloads an adapter and frees its arrays; no-op when absent. */
    public void removeAdapter(String name) {
        if (adapters.remove(name) == null) {
            return;
        }
        NDArray scaling = null;
        for (LoraLinear l : modules.values()) {
            LoraLinear.Lora lora = l.remove(name);
            if (lora != null) {
                lora.a().close();
                lora.b().close();
                scaling = lora.scaling();
            }
        }
        if (scaling != null) {
            scaling.close();
        }
    }

    /** The adapter's trainable arrays by PEFT key (A and B of every adapted module), for an optimizer. */
    public Map<String, NDArray> trainableParameters(String name) {
        adapterConfig(name);
        Map<String, NDArray> p = new LinkedHashMap<>();
        modules.forEach((path, l) -> {
            LoraLinear.Lora lora = l.lora(name);
            if (lora != null) {
                p.put(PEFT_PREFIX + path + ".lora_A.weight", lora.a());
                p.put(PEFT_PREFIX + path + ".lora_B.weight", lora.b());
            }
        });
        return p;
    }

    /** The adapter's current tensors (F32) by PEFT key. */
    public Map<String, Safetensors.Tensor> adapterTensors(String name) {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        trainableParameters(name).forEach((k, v) -> out.put(k, tensor(v)));
        return out;
    }

    /**
     * All base weights by Hugging Face name (F32), with {@code adapter} folded in when not null:
     * {@code W + scaling · B·A}.
     */
    public Map<String, Safetensors.Tensor> weights(String adapter) {
        if (adapter != null) {
            adapterConfig(adapter);
        }
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        try (NDManager m = manager.newSubManager()) {
            out.put("model.embed_tokens.weight", tensor(embed));
            for (int i = 0; i < blocks.size(); i++) {
                String p = "model.layers." + i + ".";
                Block blk = blocks.get(i);
                out.put(p + "input_layernorm.weight", tensor(blk.inputNorm().weight()));
                for (String mod : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                        "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")) {
                    LoraLinear l = modules.get(p + mod);
                    if (adapter == null) {
                        out.put(p + mod + ".weight", tensor(l.weight()));
                    } else {
                        NDArray merged = l.merged(adapter);
                        merged.attach(m);
                        out.put(p + mod + ".weight", tensor(merged));
                    }
                    if (l.bias() != null) {
                        out.put(p + mod + ".bias", tensor(l.bias()));
                    }
                }
                out.put(p + "post_attention_layernorm.weight", tensor(blk.postNorm().weight()));
            }
            out.put("model.norm.weight", tensor(norm.weight()));
            if (!config.tieWordEmbeddings()) {
                out.put("lm_head.weight", tensor(lmHead));
            }
        }
        return out;
    }

    static Safetensors.Tensor tensor(NDArray a) {
        float[] v = a.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return new Safetensors.Tensor(Safetensors.DType.F32, a.getShape().getShape(), b);
    }

    @Override
    public void close() {
        manager.close();
    }
}

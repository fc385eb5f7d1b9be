package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRA term of one step for a batch whose rows each use their own adapter, or none. The
 * adapters present in the step are laid side by side, per module, into one A and one B:
 *
 * <pre>
 *   A_cat (Σr, in) = [A_1; A_2; …]        B_cat (out, Σr) = [B_1 | B_2 | …]
 *   mask  (rows, 1, Σr): row i holds its adapter's scaling on that adapter's columns, 0 elsewhere
 *   h += ((x · A_catᵀ) ⊙ mask) · B_catᵀ    x (rows, seq, in) → (rows, seq, out)
 * </pre>
 *
 * so row i gets exactly {@code scaling_i · B_i·A_i·x_i} (the other adapters' columns are multiplied by
 * an exact zero) from four batched ops per module whatever the mix: mixing adapters never splits
 * the batch, and the base weights are multiplied once per step. The cost grows with the number of
 * distinct adapters in the step (Σr columns per row), where S-LoRA's gather kernels stay flat; for
 * a few distinct adapters per step these dense ops are cheaper on a CPU than a per-row gather copy.
 *
 * <p>The concatenated arrays are rebuilt only when the set of adapters in the batch changes; the
 * masks are rebuilt every step (they are tiny). Scheduler thread only.
 */
final class BatchedLora implements AutoCloseable {

    /** One module's concatenated matrices and where each adapter's columns start. */
    private record Stacked(NDArray a, NDArray b, Map<AdapterCache.Weights, Integer> offsets, int columns) {
    }

    private final NDManager parent;
    private NDManager manager; // holds the current set's arrays
    private List<AdapterCache.Weights> set = List.of();
    private final Map<String, Stacked> stacked = new HashMap<>(); // module path → stacked matrices
    private final Map<String, NDArray> masks = new HashMap<>();   // module type → this step's mask
    private final Map<String, String> typeOf = new HashMap<>();

    BatchedLora(NDManager parent) {
        this.parent = parent;
    }

    /** The distinct adapters of these rows, in first-seen order (nulls: base-only rows). */
    private static List<AdapterCache.Weights> distinct(List<AdapterCache.Weights> rows) {
        Map<AdapterCache.Weights, Boolean> seen = new IdentityHashMap<>();
        List<AdapterCache.Weights> out = new ArrayList<>();
        for (AdapterCache.Weights w : rows) {
            if (w != null && seen.put(w, Boolean.TRUE) == null) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Makes the stacked arrays hold at least the adapters of {@code rows}; call outside any step scope.
     * Keeps the current set when it already covers the rows (so a leaving row costs nothing).
     */
    void prepare(List<AdapterCache.Weights> rows) {
        List<AdapterCache.Weights> need = distinct(rows);
        boolean covered = true;
        for (AdapterCache.Weights w : need) {
            covered &= set.stream().anyMatch(s -> s == w);
        }
        // Rebuild when an adapter is missing, or when the set carries more than twice what is needed.
        if (covered && set.size() <= Math.max(1, 2 * need.size())) {
            return;
        }
        rebuild(need);
    }

    private void rebuild(List<AdapterCache.Weights> adapters) {
        if (manager != null) {
            manager.close();
        }
        stacked.clear();
        set = List.copyOf(adapters);
        manager = parent.newSubManager();
        if (set.isEmpty()) {
            return;
        }
        Map<String, List<AdapterCache.Weights>> byModule = new HashMap<>();
        Map<String, AdapterCache.ModuleLora> shapeOf = new HashMap<>();
        for (AdapterCache.Weights w : set) {
            w.modules().forEach((path, m) -> {
                byModule.computeIfAbsent(path, k -> new ArrayList<>()).add(w);
                shapeOf.putIfAbsent(path, m);
            });
        }
        byModule.forEach((path, ws) -> {
            AdapterCache.ModuleLora shape = shapeOf.get(path);
            int in = shape.in();
            int out = shape.out();
            int cols = ws.stream().mapToInt(w -> w.modules().get(path).r()).sum();
            float[] a = new float[cols * in];  // (Σr, in): A blocks one under the other
            float[] b = new float[out * cols]; // (out, Σr): B blocks side by side
            Map<AdapterCache.Weights, Integer> offsets = new IdentityHashMap<>();
            int off = 0;
            for (AdapterCache.Weights w : ws) {
                AdapterCache.ModuleLora m = w.modules().get(path);
                System.arraycopy(m.a(), 0, a, off * in, m.r() * in);
                for (int o = 0; o < out; o++) {
                    System.arraycopy(m.b(), o * m.r(), b, o * cols + off, m.r());
                }
                offsets.put(w, off);
                off += m.r();
            }
            NDArray aa = manager.create(a, new Shape(cols, in));
            NDArray bb = manager.create(b, new Shape(out, cols));
            NDScope.unregister(aa, bb);
            stacked.put(path, new Stacked(aa, bb, offsets, cols));
            typeOf.put(path, path.substring(path.lastIndexOf('.') + 1));
        });
    }

    /**
     * Builds this step's masks for {@code rows} (one adapter or null per row), on the step's manager.
     * {@link #prepare} must have been called with these rows.
     */
    void beginStep(NDManager step, List<AdapterCache.Weights> rows) {
        masks.clear();
        Map<String, Stacked> oneOfEachType = new HashMap<>();
        stacked.forEach((path, s) -> oneOfEachType.putIfAbsent(typeOf.get(path), s));
        oneOfEachType.forEach((type, s) -> {
            float[] mask = new float[rows.size() * s.columns()];
            boolean any = false;
            for (int i = 0; i < rows.size(); i++) {
                AdapterCache.Weights w = rows.get(i);
                Integer off = w == null ? null : s.offsets().get(w);
                if (off == null) {
                    continue;
                }
                int r = w.config().r();
                for (int j = 0; j < r; j++) {
                    mask[i * s.columns() + off + j] = w.scaling();
                }
                any = true;
            }
            if (any) {
                masks.put(type, step.create(mask, new Shape(rows.size(), 1, s.columns())));
            }
        });
    }

    /** {@code h} plus each row's LoRA term for module {@code path}; x (rows, seq, in), h (rows, seq, out). */
    NDArray apply(String path, NDArray x, NDArray h) {
        Stacked s = stacked.get(path);
        if (s == null) {
            return h;
        }
        NDArray mask = masks.get(typeOf.get(path));
        if (mask == null) {
            return h; // no row of this step uses an adapter that targets this module
        }
        NDArray low = x.getNDArrayInternal().linear(x, s.a(), null).singletonOrThrow(); // (rows, seq, Σr)
        low = low.mul(mask);
        return h.add(low.getNDArrayInternal().linear(low, s.b(), null).singletonOrThrow()); // (rows, seq, out)
    }

    /** Adapters whose weights the stacked arrays hold now. */
    int adaptersHeld() {
        return set.size();
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}

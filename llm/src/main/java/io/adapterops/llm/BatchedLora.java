package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRA term of one step for a batch whose rows each use their own adapter, or none. Two ways,
 * chosen by how many distinct adapters the step holds.
 *
 * <p>Few adapters (up to {@link #MASKED_LIMIT}): they are laid side by side, per module, into one A
 * and one B, and a per-row mask keeps each row to its own columns:
 *
 * <pre>
 *   A_cat (Σr, in) = [A_1; A_2; …]        B_cat (out, Σr) = [s_1·B_1 | s_2·B_2 | …]   (s: scaling)
 *   mask  (rows, 1, Σr): row i holds 1 on its adapter's columns, 0 elsewhere
 *   h += ((x · A_catᵀ) ⊙ mask) · B_catᵀ    x (rows, seq, in) → (rows, seq, out)
 * </pre>
 *
 * Four dense ops per module whatever the mix, three when every row uses the one adapter held (no
 * mask); on a CPU they beat a per-row copy while Σr is small.
 *
 * <p>More adapters: the S-LoRA/Punica way. Each module's adapters are stacked (ranks padded with
 * zeros to the largest, scaling folded into B, one all-zero slot for base-only rows), each row's
 * own A and B are gathered by its slot, and two batched matmuls apply them:
 *
 * <pre>
 *   Aᵀ_stack (n+1, in, r_max)    Bᵀ_stack (n+1, r_max, out)    slot (rows)
 *   h += (x ⊛ Aᵀ_stack[slot]) ⊛ Bᵀ_stack[slot]     ⊛: batched matmul, one matrix per row
 * </pre>
 *
 * so the cost per row stays that of one adapter however many are mixed: no cap on distinct
 * adapters, and mixing them never splits the batch. Either way row i gets exactly
 * {@code scaling_i · B_i·A_i·x_i} and the base weights are multiplied once per step.
 *
 * <p>The stacked arrays are rebuilt only when the set of adapters in the batch changes; the masks or
 * slots are rebuilt every step (they are tiny). Scheduler thread only.
 */
final class BatchedLora implements AutoCloseable {

    /**
     * Up to this many distinct adapters in a step use the masked way; more are gathered per row. On
     * a CPU (20M model, r=8 on all modules, 64 streams) masking 8 adapters ran 1.5x the gathered way's
     * tokens/s and 32 ran level with it: copying each row's A and B costs more than the extra columns.
     */
    static final int MASKED_LIMIT = 32;

    /** One module's concatenated matrices and where each adapter's columns start (masked way). */
    private record Stacked(NDArray a, NDArray b, Map<AdapterCache.Weights, Integer> offsets, int columns) {
    }

    /** One module's per-adapter matrices, one slot each and a last all-zero slot (gathered way). */
    private record Slotted(NDArray at, NDArray bt) {
    }

    private final NDManager parent;
    private NDManager manager; // holds the current set's arrays
    private List<AdapterCache.Weights> set = List.of();
    private boolean gathered;
    private final Map<String, Stacked> stacked = new HashMap<>(); // module path → concatenated matrices
    private final Map<String, Slotted> slotted = new HashMap<>(); // module path → stacked per-adapter matrices
    private final Map<String, NDArray> masks = new HashMap<>();   // module type → this step's mask
    private final Map<String, String> typeOf = new HashMap<>();
    private NDArray slots; // (rows) int64: this step's slot per row; null when no row uses an adapter
    private boolean unmasked; // this step's rows all use the one adapter held: no mask to apply

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
     * Keeps the current set when it already covers the rows (so a leaving row costs nothing). Over
     * {@code maskedLimit} distinct adapters the rows' matrices are gathered rather than masked.
     */
    void prepare(List<AdapterCache.Weights> rows, int maskedLimit) {
        List<AdapterCache.Weights> need = distinct(rows);
        boolean covered = true;
        for (AdapterCache.Weights w : need) {
            covered &= set.stream().anyMatch(s -> s == w);
        }
        // Rebuild when an adapter is missing, or when the set carries more than twice what is needed.
        boolean gather = need.size() > maskedLimit;
        if (covered && set.size() <= Math.max(1, 2 * need.size()) && (gather == gathered || need.isEmpty())) {
            return;
        }
        rebuild(need, gather);
    }

    private void rebuild(List<AdapterCache.Weights> adapters, boolean gather) {
        if (manager != null) {
            manager.close();
        }
        stacked.clear();
        slotted.clear();
        set = List.copyOf(adapters);
        gathered = gather;
        manager = parent.newSubManager();
        if (set.isEmpty()) {
            return;
        }
        if (gather) {
            slot();
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
                    for (int j = 0; j < m.r(); j++) {
                        b[o * cols + off + j] = w.scaling() * m.b()[o * m.r() + j];
                    }
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

    /** Builds the gathered way's arrays: per module, each adapter of the set in its slot, then a zero slot. */
    private void slot() {
        Map<String, AdapterCache.ModuleLora> shapeOf = new HashMap<>();
        for (AdapterCache.Weights w : set) {
            w.modules().forEach(shapeOf::putIfAbsent);
        }
        int n = set.size();
        shapeOf.forEach((path, shape) -> {
            int in = shape.in();
            int out = shape.out();
            int rMax = 0;
            for (AdapterCache.Weights w : set) {
                AdapterCache.ModuleLora m = w.modules().get(path);
                rMax = Math.max(rMax, m == null ? 0 : m.r());
            }
            float[] at = new float[(n + 1) * in * rMax]; // (n+1, in, r_max): Aᵀ per slot
            float[] bt = new float[(n + 1) * rMax * out]; // (n+1, r_max, out): scaling·Bᵀ per slot
            for (int k = 0; k < n; k++) {
                AdapterCache.Weights w = set.get(k);
                AdapterCache.ModuleLora m = w.modules().get(path);
                if (m == null) {
                    continue; // this adapter does not target the module: its slot stays zero
                }
                for (int j = 0; j < m.r(); j++) {
                    for (int i = 0; i < in; i++) {
                        at[(k * in + i) * rMax + j] = m.a()[j * in + i];
                    }
                    for (int o = 0; o < out; o++) {
                        bt[(k * rMax + j) * out + o] = w.scaling() * m.b()[o * m.r() + j];
                    }
                }
            }
            NDArray a = manager.create(at, new Shape(n + 1, in, rMax));
            NDArray b = manager.create(bt, new Shape(n + 1, rMax, out));
            NDScope.unregister(a, b);
            slotted.put(path, new Slotted(a, b));
        });
    }

    /**
     * Builds this step's masks or slots for {@code rows} (one adapter or null per row), on the step's
     * manager. {@link #prepare} must have been called with these rows.
     */
    void beginStep(NDManager step, List<AdapterCache.Weights> rows) {
        masks.clear();
        slots = null;
        unmasked = false;
        if (gathered) {
            long[] slot = new long[rows.size()];
            boolean any = false;
            for (int i = 0; i < rows.size(); i++) {
                int k = rows.get(i) == null ? -1 : indexOf(rows.get(i));
                slot[i] = k < 0 ? set.size() : k;
                any |= k >= 0;
            }
            if (any) {
                slots = step.create(slot);
            }
            return;
        }
        if (set.size() == 1 && rows.stream().allMatch(w -> w == set.get(0))) {
            unmasked = true; // every row uses the one adapter held: its columns are all theirs
            return;
        }
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
                Arrays.fill(mask, i * s.columns() + off, i * s.columns() + off + r, 1f);
                any = true;
            }
            if (any) {
                masks.put(type, step.create(mask, new Shape(rows.size(), 1, s.columns())));
            }
        });
    }

    private int indexOf(AdapterCache.Weights w) {
        for (int k = 0; k < set.size(); k++) {
            if (set.get(k) == w) {
                return k;
            }
        }
        return -1;
    }

    /** {@code h} plus each row's LoRA term for module {@code path}; x (rows, seq, in), h (rows, seq, out). */
    NDArray apply(String path, NDArray x, NDArray h) {
        if (gathered) {
            Slotted s = slotted.get(path);
            if (s == null || slots == null) {
                return h;
            }
            NDArray low = x.batchMatMul(s.at().get(new NDIndex("{}", slots))); // (rows, seq, r_max)
            return h.add(low.batchMatMul(s.bt().get(new NDIndex("{}", slots)))); // (rows, seq, out)
        }
        Stacked s = stacked.get(path);
        if (s == null) {
            return h;
        }
        NDArray mask = masks.get(typeOf.get(path));
        if (mask == null && !unmasked) {
            return h; // no row of this step uses an adapter that targets this module
        }
        NDArray low = x.getNDArrayInternal().linear(x, s.a(), null).singletonOrThrow(); // (rows, seq, Σr)
        if (mask != null) {
            low = low.mul(mask);
        }
        return h.add(low.getNDArrayInternal().linear(low, s.b(), null).singletonOrThrow()); // (rows, seq, out)
    }

    /** Whether the current set is applied by per-row gather rather than by masks. */
    boolean gathered() {
        return gathered;
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

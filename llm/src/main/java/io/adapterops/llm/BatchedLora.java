package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
import java.util.function.IntBinaryOperator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The LoRA term of one step for a batch whose rows each use their own adapter, or none. It works on
 * {@link Group}s: the linear layers of a decoder layer that read the same input (q/k/v, gate/up, or
 * one layer alone), whose base weights the forward pass multiplies as one matrix. While one adapter
 * is held, a group's term is one product with all its modules' A matrices stacked and one with
 * their B matrices laid out block-diagonally, so q, k and v cost the ops of one module (at one
 * stream the step is bound by op count). With several adapters the block-diagonal B would multiply
 * k modules' worth of zeros for each, which costs more than the ops it saves once the batch is
 * wide, so each module then gets its own term, added to its columns of the group's output. Two ways,
 * chosen by how many distinct adapters the step holds.
 *
 * <p>Few adapters (up to {@link #MASKED_LIMIT}): they are laid side by side into one A and one B,
 * and a per-row mask keeps each row to its own adapter's columns:
 *
 * <pre>
 *   A_cat (C, in)   rows: adapter 1's A of each module of the group, then adapter 2's, …
 *   B_cat (Σout, C) block (module j's outputs, adapter w's columns for j) = s_w·B_wj, zero elsewhere
 *   mask  (rows, C): row i holds 1 on its adapter's columns, 0 elsewhere
 *   h ← h + ((x · A_catᵀ) ⊙ mask) · B_catᵀ    x (rows·seq, in), h (rows·seq, Σout); the last
 *                                             product and the sum are one addmm (h as the bias)
 * </pre>
 *
 * (Here "group" is a whole group while one adapter is held, else one module.) Three dense ops per
 * group whatever the mix, two when every row uses the one adapter held (no mask); on a CPU they
 * beat a per-row copy while C is small.
 *
 * <p>More adapters: the S-LoRA/Punica way. Each group's adapters are stacked (ranks padded with
 * zeros to the largest, scaling folded into B, one all-zero slot for base-only rows), each row's
 * own A and B are gathered by its slot, and two batched matmuls apply them:
 *
 * <pre>
 *   Aᵀ_stack (n+1, in, R_max)    Bᵀ_stack (n+1, R_max, Σout)    slot (rows)
 *   h += (x ⊛ Aᵀ_stack[slot]) ⊛ Bᵀ_stack[slot]     ⊛: batched matmul, one matrix per row
 * </pre>
 *
 * so the cost per row stays that of one adapter however many are mixed: no cap on distinct
 * adapters, and mixing them never splits the batch. Either way row i gets exactly
 * {@code scaling_i · B_i·A_i·x_i} on each module and the base weights are multiplied once per step.
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

    /**
     * Modules that read one input, in the order their outputs are concatenated.
     *
     * @param outs each module's output width
     */
    record Group(List<String> paths, long[] outs, long in) {
        long width() {
            return LongStream.of(outs).sum();
        }
    }

    /**
     * One group's concatenated matrices (masked way); {@code layout} is, per adapter of the set, its
     * first column and its column count, then the total: groups with equal layouts share a mask.
     */
    private record Stacked(NDArray a, NDArray b, String layout) {
    }

    /** One group's per-adapter matrices, one slot each and a last all-zero slot (gathered way). */
    private record Slotted(NDArray at, NDArray bt) {
    }

    private final NDManager parent;
    private final List<Group> groups;
    private final Map<Group, List<Group>> modulesOf = new IdentityHashMap<>(); // a group → one group per module
    private final Map<Group, long[]> splitsOf = new IdentityHashMap<>(); // a group → where its modules' outputs start
    private NDManager manager; // holds the current set's arrays
    private List<AdapterCache.Weights> set = List.of();
    private boolean gathered;
    private final Map<Group, Stacked> stacked = new IdentityHashMap<>();
    private final Map<Group, Slotted> slotted = new IdentityHashMap<>();
    private final Map<String, int[]> layouts = new HashMap<>();   // layout → per adapter (first column, count), total
    private final Map<String, NDArray> masks = new HashMap<>();   // layout → this step's mask
    private NDArray slots; // (rows) int64: this step's slot per row; null when no row uses an adapter
    private boolean unmasked; // this step's rows all use the one adapter held: no mask to apply

    BatchedLora(NDManager parent, List<Group> groups) {
        this.parent = parent;
        this.groups = List.copyOf(groups);
        for (Group g : this.groups) {
            List<Group> one = new ArrayList<>();
            for (int j = 0; j < g.paths().size(); j++) {
                one.add(g.paths().size() == 1 ? g : new Group(List.of(g.paths().get(j)), new long[] {g.outs()[j]}, g.in()));
            }
            modulesOf.put(g, List.copyOf(one));
            long[] splits = new long[g.paths().size() - 1];
            for (int j = 1; j < g.paths().size(); j++) {
                splits[j - 1] = (j == 1 ? 0 : splits[j - 2]) + g.outs()[j - 1];
            }
            splitsOf.put(g, splits);
        }
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
        layouts.clear();
        set = List.copyOf(adapters);
        gathered = gather;
        manager = parent.newSubManager();
        if (set.isEmpty()) {
            return;
        }
        boolean fuse = set.size() == 1 && !gather;
        for (Group g : groups) {
            for (Group part : fuse ? List.of(g) : modulesOf.get(g)) {
                if (gather) {
                    slot(part);
                } else {
                    stack(part);
                }
            }
        }
    }

    /** Rank of adapter {@code w} on each module of {@code g} (0 where it does not target it). */
    private static int[] ranks(Group g, AdapterCache.Weights w) {
        int[] r = new int[g.paths().size()];
        for (int j = 0; j < r.length; j++) {
            AdapterCache.ModuleLora m = w.modules().get(g.paths().get(j));
            r[j] = m == null ? 0 : m.r();
        }
        return r;
    }

    /**
     * Writes adapter {@code w}'s matrices for group {@code g} into {@code a} and {@code b}, columns
     * from {@code col}; element (column c, input i) of A goes to {@code a[aAt.applyAsInt(c, i)]} and
     * element (output o of the group, column c) of scaling·B to {@code b[bAt.applyAsInt(o, c)]}.
     */
    private static void place(Group g, AdapterCache.Weights w, int col, float[] a, IntBinaryOperator aAt,
                              float[] b, IntBinaryOperator bAt) {
        int outOff = 0;
        for (int j = 0; j < g.paths().size(); j++) {
            AdapterCache.ModuleLora m = w.modules().get(g.paths().get(j));
            if (m != null) {
                for (int t = 0; t < m.r(); t++) {
                    for (int i = 0; i < m.in(); i++) {
                        a[aAt.applyAsInt(col + t, i)] = m.a()[t * m.in() + i];
                    }
                    for (int o = 0; o < m.out(); o++) {
                        b[bAt.applyAsInt(outOff + o, col + t)] = w.scaling() * m.b()[o * m.r() + t];
                    }
                }
                col += m.r();
            }
            outOff += (int) g.outs()[j];
        }
    }

    /** Builds the masked way's arrays of one group: every adapter of the set side by side. */
    private void stack(Group g) {
        int in = (int) g.in();
        int out = (int) g.width();
        int[] layout = new int[2 * set.size() + 1];
        int cols = 0;
        for (int k = 0; k < set.size(); k++) {
            int width = IntStream.of(ranks(g, set.get(k))).sum();
            layout[2 * k] = cols;
            layout[2 * k + 1] = width;
            cols += width;
        }
        if (cols == 0) {
            return; // no adapter of the set targets this group
        }
        layout[2 * set.size()] = cols;
        int c = cols;
        float[] a = new float[cols * in];  // (C, in)
        float[] b = new float[out * cols]; // (Σout, C)
        for (int k = 0; k < set.size(); k++) {
            place(g, set.get(k), layout[2 * k], a, (col, i) -> col * in + i, b, (o, col) -> o * c + col);
        }
        NDArray aa = manager.create(a, new Shape(cols, in));
        NDArray bb = manager.create(b, new Shape(out, cols));
        NDScope.unregister(aa, bb);
        String key = Arrays.toString(layout);
        layouts.put(key, layout);
        stacked.put(g, new Stacked(aa, bb, key));
    }

    /** Builds the gathered way's arrays of one group: each adapter of the set in its slot, then a zero slot. */
    private void slot(Group g) {
        int in = (int) g.in();
        int out = (int) g.width();
        int n = set.size();
        int rMax = 0;
        for (AdapterCache.Weights w : set) {
            rMax = Math.max(rMax, IntStream.of(ranks(g, w)).sum());
        }
        if (rMax == 0) {
            return;
        }
        int r = rMax;
        float[] at = new float[(n + 1) * in * rMax]; // (n+1, in, R_max): Aᵀ per slot
        float[] bt = new float[(n + 1) * rMax * out]; // (n+1, R_max, Σout): scaling·Bᵀ per slot
        for (int k = 0; k < n; k++) {
            int base = k;
            place(g, set.get(k), 0, at, (col, i) -> (base * in + i) * r + col, bt, (o, col) -> (base * r + col) * out + o);
        }
        NDArray a = manager.create(at, new Shape(n + 1, in, rMax));
        NDArray b = manager.create(bt, new Shape(n + 1, rMax, out));
        NDScope.unregister(a, b);
        slotted.put(g, new Slotted(a, b));
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
        layouts.forEach((key, layout) -> {
            int cols = layout[layout.length - 1];
            float[] mask = new float[rows.size() * cols];
            boolean any = false;
            for (int i = 0; i < rows.size(); i++) {
                int k = rows.get(i) == null ? -1 : indexOf(rows.get(i));
                if (k >= 0 && layout[2 * k + 1] > 0) {
                    Arrays.fill(mask, i * cols + layout[2 * k], i * cols + layout[2 * k] + layout[2 * k + 1], 1f);
                    any = true;
                }
            }
            if (any) {
                masks.put(key, step.create(mask, new Shape(rows.size(), cols)));
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

    /**
     * {@code h} plus each row's LoRA term for group {@code g}; x (rows·seq, in), h (rows·seq, Σout):
     * the base output of the group's modules concatenated. A pass holds one position per row
     * (decode) or one row (prefill), so a row's mask applies to all of its positions.
     */
    NDArray apply(Group g, NDArray x, NDArray h) {
        List<Group> parts = modulesOf.get(g);
        if (parts.size() == 1 || stacked.containsKey(g)) {
            return applyPart(g, x, h);
        }
        if (parts.stream().noneMatch(p -> stacked.containsKey(p) || slotted.containsKey(p))) {
            return h;
        }
        NDList outs = h.split(splitsOf.get(g), 1);
        NDList sums = new NDList(parts.size());
        for (int j = 0; j < parts.size(); j++) {
            sums.add(applyPart(parts.get(j), x, outs.get(j)));
        }
        return NDArrays.concat(sums, 1);
    }

    /** {@code h} plus the term of {@code g}, one module or a fused group, whichever the set was built for. */
    private NDArray applyPart(Group g, NDArray x, NDArray h) {
        if (gathered) {
            Slotted s = slotted.get(g);
            if (s == null || slots == null) {
                return h;
            }
            NDArray xs = x.reshape(slots.size(), -1, g.in()); // (rows, seq, in)
            NDArray low = xs.batchMatMul(s.at().get(new NDIndex("{}", slots))); // (rows, seq, R_max)
            return h.add(low.batchMatMul(s.bt().get(new NDIndex("{}", slots))).reshape(h.getShape()));
        }
        Stacked s = stacked.get(g);
        if (s == null) {
            return h;
        }
        NDArray mask = masks.get(s.layout());
        if (mask == null && !unmasked) {
            return h; // no row of this step uses an adapter that targets this group
        }
        NDArray low = x.getNDArrayInternal().linear(x, s.a(), null).singletonOrThrow(); // (rows·seq, C)
        if (mask != null) {
            low = low.mul(mask);
        }
        return low.getNDArrayInternal().linear(low, s.b(), h).singletonOrThrow(); // addmm: h + low·B_catᵀ
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

package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of past positions, per layer, so each decode step computes only its new token.
 * The arrays live on the request's manager, outside the per-step scope; each append replaces the
 * layer's arrays and frees the old ones, so the cache holds exactly one copy.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;   // per layer (batch, kvHeads, seq, headDim)
    private final NDArray[] values; // per layer (batch, kvHeads, seq, headDim)

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Positions already cached. */
    public int length() {
        return keys[0] == null ? 0 : (int) keys[0].getShape().get(2);
    }

    /** Appends this step's k, v (batch, kvHeads, new, headDim); returns the full (batch, kvHeads, seq, headDim). */
    NDList append(int layer, NDArray k, NDArray v) {
        keys[layer] = grow(keys[layer], k);
        values[layer] = grow(values[layer], v);
        return new NDList(keys[layer], values[layer]);
    }

    private NDArray grow(NDArray old, NDArray step) {
        NDArray all = old == null ? step.duplicate() : old.concat(step, 2);
        NDScope.unregister(all);
        all.attach(manager);
        if (old != null) {
            old.close();
        }
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}

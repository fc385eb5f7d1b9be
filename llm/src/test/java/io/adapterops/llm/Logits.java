package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** Test helper: a model's logits [seq][vocab] for one sequence, as Java arrays. */
final class Logits {

    private Logits() {
    }

    static float[][] of(LlamaModel model, int[] ids, String adapter) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
            NDArray out = model.forward(x, adapter, false); // (1, seq, vocab)
            float[] flat = out.toFloatArray();
            int v = (int) out.getShape().get(2);
            float[][] r = new float[ids.length][v];
            for (int i = 0; i < ids.length; i++) {
                System.arraycopy(flat, i * v, r[i], 0, v);
            }
            return r;
        }
    }

    static double maxDiff(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}

package io.adapterops.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.adapterops.llm.LlamaModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs prompts through base + adapter and through a model built from the merged weights
 * ({@code W + scaling · B·A}, what an export ships) and reports the largest absolute logit
 * difference. The merged model is a second copy of the weights, held only for the check.
 */
final class ParityCheck {

    /** Above this a merged export would not behave like the adapter: the job fails. */
    static final double TOLERANCE = 1e-3;

    private ParityCheck() {
    }

    static double maxLogitDiff(LlamaModel model, String adapter, List<int[]> prompts, Path configFile) {
        try (NDManager m = model.manager().newSubManager();
             LlamaModel merged = LlamaModel.of(model.config(), model.weights(adapter), Map.of(), configFile, m)) {
            double max = 0;
            for (int[] p : prompts) {
                try (NDScope scope = new NDScope(); NDManager step = m.newSubManager()) {
                    long[] ids = Arrays.stream(p).asLongStream().toArray();
                    NDArray x = step.create(ids, new Shape(1, ids.length)); // (1, seq)
                    NDArray a = model.forward(x, adapter, false); // (1, seq, vocab)
                    NDArray b = merged.forward(x, null, false);
                    max = Math.max(max, a.sub(b).abs().max().getFloat());
                }
            }
            return max;
        }
    }
}

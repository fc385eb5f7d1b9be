package io.adapterops.trainer;

import io.adapterops.llm.Safetensors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, computed on the host as {@code torch.optim.AdamW} does it:
 *
 * <pre>
 *   w ← w · (1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   w ← w − lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + ε)
 * </pre>
 *
 * LoRA weights are small (a ~20M model at r 16 has under a million), so the host loop costs
 * little, and keeping m and v as Java arrays makes the state exact to save and restore.
 */
final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double weightDecay;
    private final double eps;
    private final Map<String, float[]> m = new LinkedHashMap<>();
    private final Map<String, float[]> v = new LinkedHashMap<>();
    private long steps;

    AdamW(double beta1, double beta2, double eps, double weightDecay, Map<String, long[]> shapes) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        shapes.forEach((name, shape) -> {
            int n = (int) (shape[0] * shape[1]);
            m.put(name, new float[n]);
            v.put(name, new float[n]);
        });
    }

    long steps() {
        return steps;
    }

    /** One update of every weight in place. */
    void step(Map<String, float[]> weights, Map<String, float[]> grads, double lr) {
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        double stepSize = lr / bc1;
        double decay = 1 - lr * weightDecay;
        weights.forEach((name, w) -> {
            float[] g = grads.get(name);
            float[] mm = m.get(name);
            float[] vv = v.get(name);
            for (int i = 0; i < w.length; i++) {
                mm[i] = (float) (beta1 * mm[i] + (1 - beta1) * g[i]);
                vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * g[i] * g[i]);
                double denom = Math.sqrt(vv[i]) / bc2Sqrt + eps;
                w[i] = (float) (w[i] * decay - stepSize * mm[i] / denom);
            }
        });
    }

    /** m and v of every weight, keyed {@code exp_avg.<name>} and {@code exp_avg_sq.<name>}. */
    Map<String, Safetensors.Tensor> state(Map<String, long[]> shapes) {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            out.put("exp_avg." + name, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, shape, m.get(name)));
            out.put("exp_avg_sq." + name, Safetensors.Tensor.ofFloats(Safetensors.DType.F32, shape, v.get(name)));
        });
        return out;
    }

    void restore(Map<String, Safetensors.Tensor> state, long stepsTaken) {
        for (String name : m.keySet()) {
            Safetensors.Tensor a = state.get("exp_avg." + name);
            Safetensors.Tensor b = state.get("exp_avg_sq." + name);
            if (a == null || b == null) {
                throw new IllegalStateException("optimizer state has no moments for " + name);
            }
            System.arraycopy(a.toFloats(), 0, m.get(name), 0, m.get(name).length);
            System.arraycopy(b.toFloats(), 0, v.get(name), 0, v.get(name).length);
        }
        steps = stepsTaken;
    }
}

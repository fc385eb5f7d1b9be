package io.adapterops.trainer;

import java.util.Collection;

/** Clipping by global gradient norm, as {@code torch.nn.utils.clip_grad_norm_} does it. */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Scales every gradient in place by {@code maxNorm / (norm + 1e-6)} when the global L2 norm
     * exceeds {@code maxNorm} ({@code maxNorm} 0: never).
     *
     * @return the global norm before clipping
     */
    public static double clip(Collection<float[]> grads, double maxNorm) {
        double sum = 0;
        for (float[] g : grads) {
            for (float x : g) {
                sum += (double) x * x;
            }
        }
        double norm = Math.sqrt(sum);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (float[] g : grads) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= scale;
                }
            }
        }
        return norm;
    }
}

package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout: the head vector's first half and
 * second half form the (x, y) pairs, so {@code rope(x) = x·cos + rotateHalf(x)·sin} with
 * {@code rotateHalf([a, b]) = [-b, a]} and angle {@code position · invFreq[i mod D/2]}.
 * Frequencies follow {@code rope_theta} and {@code rope_scaling} (linear, llama3).
 */
public final class Rope {

    private final int headDim;
    private final double[] invFreq; // (headDim / 2)

    public Rope(LlamaConfig c) {
        this.headDim = c.headDim();
        this.invFreq = inverseFrequencies(c);
    }

    static double[] inverseFrequencies(LlamaConfig c) {
        int half = c.headDim() / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) {
            f[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim());
        }
        LlamaConfig.RopeScaling s = c.ropeScaling();
        if (s == null) {
            return f;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < half; i++) {
                f[i] /= s.factor();
            }
            return f;
        }
        double oldLen = s.originalMaxPositionEmbeddings();
        double lowWavelen = oldLen / s.lowFreqFactor();
        double highWavelen = oldLen / s.highFreqFactor();
        for (int i = 0; i < half; i++) {
            double wavelen = 2 * Math.PI / f[i];
            if (wavelen > lowWavelen) {
                f[i] = f[i] / s.factor();
            } else if (wavelen >= highWavelen) {
                double smooth = (oldLen / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                f[i] = (1 - smooth) * f[i] / s.factor() + smooth * f[i];
            }
        }
        return f;
    }

    /** cos and sin tables for {@code positions} (batch, seq), each shaped (batch, 1, seq, headDim). */
    public NDList tables(NDManager m, int[][] positions) {
        int b = positions.length;
        int t = positions[0].length;
        float[] cos = new float[b * t * headDim];
        float[] sin = new float[b * t * headDim];
        int half = headDim / 2;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int base = (i * t + j) * headDim;
                for (int k = 0; k < half; k++) {
                    float angle = (float) (positions[i][j] * invFreq[k]);
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    cos[base + k] = c;
                    cos[base + half + k] = c;
                    sin[base + k] = s;
                    sin[base + half + k] = s;
                }
            }
        }
        Shape shape = new Shape(b, 1, t, headDim);
        return new NDList(m.create(cos, shape), m.create(sin, shape));
    }

    /** x (batch, heads, seq, headDim) rotated by the tables. */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDList halves = x.split(new long[] {half}, 3); // 2 × (batch, heads, seq, headDim/2)
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3); // [-x2, x1]
        return x.mul(cos).add(rotated.mul(sin));
    }
}

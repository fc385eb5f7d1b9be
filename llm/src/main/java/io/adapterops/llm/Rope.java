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
 *
 * <p>Everything is float32, operation by operation, as transformers computes it
 * ({@code inv_freq} from an f32 {@code arange}, then {@code position_f32 × inv_freq_f32}): an angle
 * computed in double and rounded once differs by up to an f32 ulp of the angle, which at a few
 * thousand positions moves logits by more than 1e-4.
 */
public final class Rope {

    private final int headDim;
    private final float[] invFreq; // (headDim / 2)

    public Rope(LlamaConfig c) {
        this.headDim = c.headDim();
        this.invFreq = inverseFrequencies(c);
    }

    // modeling_rope_utils: _compute_default_rope_parameters, _compute_linear_scaling_rope_parameters,
    // _compute_llama3_parameters; each line one f32 tensor operation there.
    static float[] inverseFrequencies(LlamaConfig c) {
        int half = c.headDim() / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) c.headDim();
            f[i] = 1.0f / (float) Math.pow(c.ropeTheta(), exponent);
        }
        LlamaConfig.RopeScaling s = c.ropeScaling();
        if (s == null) {
            return f;
        }
        float factor = (float) s.factor();
        if (s.type().equals("linear")) {
            for (int i = 0; i < half; i++) {
                f[i] /= factor;
            }
            return f;
        }
        float oldLen = (float) s.originalMaxPositionEmbeddings();
        float low = (float) s.lowFreqFactor();
        float band = (float) (s.highFreqFactor() - s.lowFreqFactor());
        float lowWavelen = (float) (s.originalMaxPositionEmbeddings() / s.lowFreqFactor());
        float highWavelen = (float) (s.originalMaxPositionEmbeddings() / s.highFreqFactor());
        for (int i = 0; i < half; i++) {
            float wavelen = (float) (2 * Math.PI) / f[i];
            float llama = wavelen > lowWavelen ? f[i] / factor : f[i];
            float smooth = (oldLen / wavelen - low) / band;
            float smoothed = (1 - smooth) * llama / factor + smooth * llama;
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            f[i] = medium ? smoothed : llama;
        }
        return f;
    }

    /**
     * cos and sin tables for {@code positions} (batch, seq), each shaped (batch, 1, seq, headDim);
     * the sin table's first half negated, as {@link #apply} wants it.
     */
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
                    float angle = (float) positions[i][j] * invFreq[k];
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    cos[base + k] = c;
                    cos[base + half + k] = c;
                    sin[base + k] = -s; // signed for the rotation's first half, see apply
                    sin[base + half + k] = s;
                }
            }
        }
        Shape shape = new Shape(b, 1, t, headDim);
        return new NDList(m.create(cos, shape), m.create(sin, shape));
    }

    /**
     * x (batch, heads, seq, headDim) rotated by the tables: {@code x·cos + [-x2, x1]·sin}, computed
     * as {@code x·cos + [x2, x1]·[-sin, sin]} (no negation of x, forward or backward).
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray signedSin) {
        long half = x.getShape().get(3) / 2;
        NDList halves = x.split(new long[] {half}, 3); // 2 × (batch, heads, seq, headDim/2)
        return x.mul(cos).add(halves.get(1).concat(halves.get(0), 3).mul(signedSin));
    }
}

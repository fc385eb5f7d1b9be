package io.adapterops.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An independent scalar (double precision, no DJL) Llama/Mistral/Qwen2 forward pass, written
 * directly from Hugging Face transformers' modeling_llama.py / modeling_qwen2.py and
 * modeling_rope_utils.py (default, linear, llama3 RoPE), to check the DJL model against.
 * It reads config.json itself and shares nothing with the model code except the safetensors reader.
 */
final class ReferenceLlama {

    private final JsonNode cfg;
    private final Map<String, float[]> w = new HashMap<>();
    private final int hidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int layers;
    private final int vocab;
    private final double eps;
    private final float[] invFreq;

    ReferenceLlama(Path dir) throws IOException {
        cfg = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("config.json")));
        Safetensors.read(dir.resolve("model.safetensors")).forEach((k, v) -> w.put(k, v.toFloats()));
        hidden = cfg.get("hidden_size").asInt();
        heads = cfg.get("num_attention_heads").asInt();
        kvHeads = cfg.has("num_key_value_heads") ? cfg.get("num_key_value_heads").asInt() : heads;
        headDim = cfg.has("head_dim") ? cfg.get("head_dim").asInt() : hidden / heads;
        layers = cfg.get("num_hidden_layers").asInt();
        vocab = cfg.get("vocab_size").asInt();
        eps = cfg.get("rms_norm_eps").asDouble();
        invFreq = invFreq();
    }

    // modeling_rope_utils: _compute_default / _compute_linear_scaling / _compute_llama3_parameters. These
    // are float32 tensor operations there, so each step is rounded to float here as well.
    private float[] invFreq() {
        double base = cfg.get("rope_theta").asDouble();
        float[] f = new float[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            float arange = 2 * i;
            f[i] = 1.0f / (float) Math.pow(base, arange / headDim);
        }
        JsonNode rs = cfg.get("rope_scaling");
        if (rs == null || rs.isNull()) {
            return f;
        }
        String type = rs.has("rope_type") ? rs.get("rope_type").asText() : rs.get("type").asText();
        float factor = (float) rs.get("factor").asDouble();
        if (type.equals("linear")) {
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i] / factor;
            }
            return f;
        }
        double low = rs.get("low_freq_factor").asDouble();
        double high = rs.get("high_freq_factor").asDouble();
        double oldCtx = rs.get("original_max_position_embeddings").asDouble();
        float lowWl = (float) (oldCtx / low);
        float highWl = (float) (oldCtx / high);
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            float wl = (float) (2 * Math.PI) / f[i];
            float llama = wl > lowWl ? f[i] / factor : f[i];
            float smooth = ((float) oldCtx / wl - (float) low) / (float) (high - low);
            float smoothed = (1 - smooth) * llama / factor + smooth * llama;
            boolean medium = !(wl < highWl) && !(wl > lowWl);
            out[i] = medium ? smoothed : llama;
        }
        return out;
    }

    /** Logits [seq][vocab] for one unpadded sequence starting at position 0. */
    double[][] logits(int[] ids) {
        int t = ids.length;
        double[][] x = new double[t][hidden];
        float[] emb = w.get("model.embed_tokens.weight");
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < hidden; j++) {
                x[i][j] = emb[ids[i] * hidden + j];
            }
        }
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            double[][] h = rms(x, w.get(p + "input_layernorm.weight"));
            double[][] q = lin(h, p + "self_attn.q_proj", heads * headDim);
            double[][] k = lin(h, p + "self_attn.k_proj", kvHeads * headDim);
            double[][] v = lin(h, p + "self_attn.v_proj", kvHeads * headDim);
            for (int i = 0; i < t; i++) {
                rope(q[i], heads, i);
                rope(k[i], kvHeads, i);
            }
            double[][] att = new double[t][heads * headDim];
            int group = heads / kvHeads;
            for (int hd = 0; hd < heads; hd++) {
                int kvh = hd / group; // repeat_kv
                for (int i = 0; i < t; i++) {
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double d = 0;
                        for (int e = 0; e < headDim; e++) {
                            d += q[i][hd * headDim + e] * k[j][kvh * headDim + e];
                        }
                        s[j] = d / Math.sqrt(headDim);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        for (int e = 0; e < headDim; e++) {
                            att[i][hd * headDim + e] += s[j] / sum * v[j][kvh * headDim + e];
                        }
                    }
                }
            }
            add(x, lin(att, p + "self_attn.o_proj", hidden));
            double[][] h2 = rms(x, w.get(p + "post_attention_layernorm.weight"));
            double[][] g = lin(h2, p + "mlp.gate_proj", -1);
            double[][] u = lin(h2, p + "mlp.up_proj", -1);
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < g[i].length; j++) {
                    g[i][j] = g[i][j] / (1 + Math.exp(-g[i][j])) * u[i][j];
                }
            }
            add(x, lin(g, p + "mlp.down_proj", hidden));
        }
        double[][] n = rms(x, w.get("model.norm.weight"));
        boolean tied = cfg.path("tie_word_embeddings").asBoolean(false);
        float[] head = tied ? emb : w.get("lm_head.weight");
        double[][] out = new double[t][vocab];
        for (int i = 0; i < t; i++) {
            for (int o = 0; o < vocab; o++) {
                double d = 0;
                for (int j = 0; j < hidden; j++) {
                    d += n[i][j] * head[o * hidden + j];
                }
                out[i][o] = d;
            }
        }
        return out;
    }

    private void rope(double[] v, int nHeads, int pos) { // rotate_half: (x1, x2) → (-x2, x1)
        int half = headDim / 2;
        for (int hd = 0; hd < nHeads; hd++) {
            int b = hd * headDim;
            for (int i = 0; i < half; i++) {
                float angle = (float) pos * invFreq[i]; // position_ids.float() @ inv_freq, in f32
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                double x1 = v[b + i];
                double x2 = v[b + half + i];
                v[b + i] = x1 * c - x2 * s;
                v[b + half + i] = x2 * c + x1 * s;
            }
        }
    }

    private double[][] rms(double[][] x, float[] weight) {
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            double ss = 0;
            for (double d : x[i]) {
                ss += d * d;
            }
            double r = 1 / Math.sqrt(ss / x[i].length + eps);
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = weight[j] * (x[i][j] * r);
            }
        }
        return out;
    }

    private double[][] lin(double[][] x, String name, int outDim) {
        float[] wt = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        int in = x[0].length;
        int out = outDim > 0 ? outDim : wt.length / in;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double d = b == null ? 0 : b[o];
                for (int j = 0; j < in; j++) {
                    d += x[i][j] * wt[o * in + j];
                }
                y[i][o] = d;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] d) {
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] += d[i][j];
            }
        }
    }
}

package io.adapterops.trainer;

import io.adapterops.llm.LlamaConfig;
import java.util.Locale;

/**
 * What a LoRA job needs in device memory, estimated before anything is loaded, all in f32 (4 bytes):
 *
 * <pre>
 *   weights     = 4 · parameters of the base model
 *   optimizer   = 4 · 5 · trainable      gradient, AdamW m and v, and the host copies of weight and gradient
 *   activations = 4 · tokens · [layers · (16h + 4q + 4kv + 8i + 6·heads·seq) + 3·vocab]
 *                 tokens = batch · cutoff_len (the worst case; twice that for DPO's two replies);
 *                 q, kv = query / key-value widths, i = intermediate; the attention term holds
 *                 scores, mask and probabilities, the vocab term logits, log-probabilities and
 *                 their gradient (computed only at positions that predict a trained token, so
 *                 every token trained is the worst case); the per-layer factors were calibrated against TrainBench's
 *                 peak RSS on the ~20M model (estimate 1.25 GiB, measured 1.46 GiB with ~0.3 GiB of JVM)
 *   parity      = 2 · weights            the merged copy beside the base, after training
 *   total       = max(weights + optimizer + activations, parity) + runtime overhead
 * </pre>
 *
 * The activation term is an upper bound in spirit (no checkpointing, no fused kernels); a job
 * whose {@code total} exceeds {@code free} is refused.
 */
public record MemoryEstimate(String device, long weightsBytes, long activationBytes, long optimizerBytes,
                             long overheadBytes, long totalBytes, long freeBytes) {

    /** Native runtime, tokenizer and host buffers, measured roughly on the CPU engine. */
    static final long OVERHEAD = 256L << 20;

    public static MemoryEstimate of(LlamaConfig c, TrainingConfig t, String device, long freeBytes) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long i = c.intermediateSize();
        long layers = c.numHiddenLayers();
        long perLayer = 2 * h * q + 2 * h * kv + 3 * h * i; // q, k, v, o projections + SwiGLU
        long params = (long) c.vocabSize() * h * (c.tieWordEmbeddings() ? 1 : 2) + layers * (perLayer + 2 * h) + h;
        long trainable = 0;
        for (String m : t.targetModules()) {
            long in = m.equals("o_proj") ? q : m.equals("down_proj") ? i : h;
            long out = switch (m) {
                case "q_proj" -> q;
                case "k_proj", "v_proj" -> kv;
                case "gate_proj", "up_proj" -> i;
                default -> h;
            };
            trainable += layers * t.loraR() * (in + out);
        }
        long weights = 4 * params;
        long optimizer = 4 * 5 * trainable;
        long tokens = (long) t.batchSize() * t.maxSeqLen() * (t.objective() == Objective.DPO ? 2 : 1);
        long activations = 4 * tokens * (layers * (16 * h + 4 * q + 4 * kv + 8 * i
                + 6L * c.numAttentionHeads() * t.maxSeqLen()) + 3L * c.vocabSize());
        long total = Math.max(weights + optimizer + activations, 2 * weights) + OVERHEAD;
        return new MemoryEstimate(device, weights, activations, optimizer, OVERHEAD, total, freeBytes);
    }

    public boolean fits() {
        return totalBytes <= freeBytes;
    }

    public String describe() {
        return String.format(Locale.ROOT, "estimated %s (weights %s, activations %s, optimizer state %s, "
                        + "runtime %s) but only %s free; lower per_device_train_batch_size or cutoff_len, "
                        + "or use a larger device", mib(totalBytes), mib(weightsBytes), mib(activationBytes),
                mib(optimizerBytes), mib(overheadBytes), mib(freeBytes));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}

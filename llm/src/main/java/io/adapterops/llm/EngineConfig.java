package io.adapterops.llm;

import java.util.Locale;

/**
 * Limits of an {@link InferenceEngine}.
 *
 * @param maxBatch rows decoded together in one step; further admitted requests wait in the queue
 * @param maxWaiting requests that may wait for a row; beyond it {@code submit} refuses at once
 * @param kvBudgetBytes memory the KV cache may take (rows × longest reserved length × bytes per position)
 * @param adapterBudgetBytes memory the loaded adapters may take
 * @param maxNewTokensLimit the largest {@code maxNewTokens} a request may ask for
 * @param baseName the name adapters must name as {@code base_model_name_or_path} (compared by last path
 *                 segment, case-insensitively), or null to skip that check
 */
public record EngineConfig(int maxBatch, int maxWaiting, long kvBudgetBytes, long adapterBudgetBytes,
                           int maxNewTokensLimit, String baseName) {

    public EngineConfig {
        if (maxBatch <= 0 || maxWaiting < 0 || kvBudgetBytes <= 0 || adapterBudgetBytes <= 0 || maxNewTokensLimit <= 0) {
            throw new IllegalArgumentException("need maxBatch > 0, maxWaiting >= 0, budgets > 0, maxNewTokensLimit > 0");
        }
    }

    /** 64 rows, 256 waiting, 1 GiB of KV cache, 512 MiB of adapters, 4,096 new tokens at most. */
    public static EngineConfig defaults(String baseName) {
        return new EngineConfig(64, 256, 1L << 30, 512L << 20, 4096, baseName);
    }

    public EngineConfig withMaxBatch(int n) {
        return new EngineConfig(n, maxWaiting, kvBudgetBytes, adapterBudgetBytes, maxNewTokensLimit, baseName);
    }

    public EngineConfig withMaxWaiting(int n) {
        return new EngineConfig(maxBatch, n, kvBudgetBytes, adapterBudgetBytes, maxNewTokensLimit, baseName);
    }

    public EngineConfig withKvBudget(long bytes) {
        return new EngineConfig(maxBatch, maxWaiting, bytes, adapterBudgetBytes, maxNewTokensLimit, baseName);
    }

    public EngineConfig withAdapterBudget(long bytes) {
        return new EngineConfig(maxBatch, maxWaiting, kvBudgetBytes, bytes, maxNewTokensLimit, baseName);
    }

    public EngineConfig withMaxNewTokensLimit(int n) {
        return new EngineConfig(maxBatch, maxWaiting, kvBudgetBytes, adapterBudgetBytes, n, baseName);
    }

    static String mib(long bytes) {
        return bytes < 1L << 20 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}

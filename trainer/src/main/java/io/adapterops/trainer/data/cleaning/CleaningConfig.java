package io.adapterops.trainer.data.cleaning;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of the cleaning pipeline. {@link #defaults()} gives what a user gets without asking.
 *
 * @param nearDupThreshold    Jaccard similarity at or above which a row is a near-duplicate
 * @param shingleMode         words or characters; CJK is shingled by character either way
 * @param shingleSize         shingle length in words or characters
 * @param minHashPermutations signature length; LSH bands are derived from it and the threshold
 * @param minTokens           rows with fewer tokens are dropped
 * @param maxTokens           rows with more tokens are dropped
 * @param blocklist           terms that may not appear in replies
 * @param balanceTarget       rows per category after balancing; 0 turns balancing off
 * @param seed                for MinHash, balancing and nothing else random
 */
public record CleaningConfig(double nearDupThreshold, ShingleMode shingleMode, int shingleSize,
                             int minHashPermutations, int minTokens, int maxTokens,
                             List<String> blocklist, FilterAction blocklistAction,
                             Set<PiiKind> piiKinds, FilterAction piiAction,
                             String refusalPattern, String harmfulPromptPattern,
                             int balanceTarget, long seed) {

    public CleaningConfig {
        if (nearDupThreshold <= 0 || nearDupThreshold > 1) {
            throw new IllegalArgumentException("nearDupThreshold must be in (0, 1]: " + nearDupThreshold);
        }
        if (minTokens > maxTokens) {
            throw new IllegalArgumentException("minTokens " + minTokens + " > maxTokens " + maxTokens);
        }
        blocklist = List.copyOf(blocklist);
        piiKinds = Set.copyOf(piiKinds);
    }

    public static CleaningConfig defaults() {
        return new CleaningConfig(0.85, ShingleMode.CHARACTER, 5, 128, 1, 4096,
                List.of(), FilterAction.DROP, EnumSet.allOf(PiiKind.class), FilterAction.REDACT,
                RefusalAudit.REFUSAL, RefusalAudit.HARMFUL, 0, 42L);
    }

    public CleaningConfig withNearDup(double threshold, ShingleMode mode, int size) {
        return new CleaningConfig(threshold, mode, size, minHashPermutations, minTokens, maxTokens, blocklist,
                blocklistAction, piiKinds, piiAction, refusalPattern, harmfulPromptPattern, balanceTarget, seed);
    }

    public CleaningConfig withTokenLimits(int min, int max) {
        return new CleaningConfig(nearDupThreshold, shingleMode, shingleSize, minHashPermutations, min, max,
                blocklist, blocklistAction, piiKinds, piiAction, refusalPattern, harmfulPromptPattern,
                balanceTarget, seed);
    }

    public CleaningConfig withBlocklist(List<String> terms, FilterAction action) {
        return new CleaningConfig(nearDupThreshold, shingleMode, shingleSize, minHashPermutations, minTokens,
                maxTokens, terms, action, piiKinds, piiAction, refusalPattern, harmfulPromptPattern,
                balanceTarget, seed);
    }

    public CleaningConfig withPii(Set<PiiKind> kinds, FilterAction action) {
        return new CleaningConfig(nearDupThreshold, shingleMode, shingleSize, minHashPermutations, minTokens,
                maxTokens, blocklist, blocklistAction, kinds, action, refusalPattern, harmfulPromptPattern,
                balanceTarget, seed);
    }

    public CleaningConfig withBalance(int target, long newSeed) {
        return new CleaningConfig(nearDupThreshold, shingleMode, shingleSize, minHashPermutations, minTokens,
                maxTokens, blocklist, blocklistAction, piiKinds, piiAction, refusalPattern, harmfulPromptPattern,
                target, newSeed);
    }
}

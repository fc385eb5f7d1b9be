package io.adapterops.trainer.data.cleaning;

/**
 * How a signature of k values is cut into b bands of r rows. Two rows become candidates when any
 * band matches, with probability 1 - (1 - s^r)^b at similarity s. We take the largest r (fewest
 * needless candidates) that still catches pairs exactly at the threshold with probability
 * {@link #RECALL_AT_THRESHOLD}; candidates are then checked exactly, so the threshold holds.
 */
record LshBands(int bands, int rows) {
    static final double RECALL_AT_THRESHOLD = 0.99;

    static LshBands choose(double threshold, int permutations) {
        for (int r = permutations; r > 1; r--) {
            int b = permutations / r;
            if (candidateProbability(threshold, b, r) >= RECALL_AT_THRESHOLD) {
                return new LshBands(b, r);
            }
        }
        return new LshBands(permutations, 1);
    }

    static double candidateProbability(double similarity, int bands, int rows) {
        return 1 - Math.pow(1 - Math.pow(similarity, rows), bands);
    }
}

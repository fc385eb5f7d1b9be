package io.adapterops.evaluator.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Sufficient statistics of BLEU for one or more segments: matched and total n-grams per order,
 * hypothesis length and the closest reference length. Corpus BLEU is computed from their sum, which
 * is what lets the report bootstrap it by resampling segments.
 */
public record BleuStats(long[] correct, long[] total, long sysLen, long refLen) {

    public static BleuStats zero(int maxOrder) {
        return new BleuStats(new long[maxOrder], new long[maxOrder], 0, 0);
    }

    public BleuStats plus(BleuStats other) {
        long[] c = correct.clone();
        long[] t = total.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += other.correct[i];
            t[i] += other.total[i];
        }
        return new BleuStats(c, t, sysLen + other.sysLen, refLen + other.refLen);
    }

    public static BleuStats sum(List<BleuStats> parts, int maxOrder) {
        BleuStats acc = zero(maxOrder);
        for (BleuStats p : parts) {
            acc = acc.plus(p);
        }
        return acc;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BleuStats s && Arrays.equals(correct, s.correct) && Arrays.equals(total, s.total)
                && sysLen == s.sysLen && refLen == s.refLen;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(correct) + Arrays.hashCode(total) + Long.hashCode(sysLen * 31 + refLen);
    }

    @Override
    public String toString() {
        return "BleuStats" + Arrays.toString(correct) + "/" + Arrays.toString(total) + " sys=" + sysLen + " ref=" + refLen;
    }
}

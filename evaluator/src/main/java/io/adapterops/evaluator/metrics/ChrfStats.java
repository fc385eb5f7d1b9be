package io.adapterops.evaluator.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Sufficient statistics of chrF for one or more segments: per n-gram order (character orders first,
 * then word orders) the hypothesis, reference and matched n-gram counts. Corpus chrF is computed from
 * their sum, so a report can bootstrap it by resampling segments.
 */
public record ChrfStats(long[] hyp, long[] ref, long[] match) {

    public static ChrfStats zero(int order) {
        return new ChrfStats(new long[order], new long[order], new long[order]);
    }

    public ChrfStats plus(ChrfStats other) {
        long[] h = hyp.clone();
        long[] r = ref.clone();
        long[] m = match.clone();
        for (int i = 0; i < h.length; i++) {
            h[i] += other.hyp[i];
            r[i] += other.ref[i];
            m[i] += other.match[i];
        }
        return new ChrfStats(h, r, m);
    }

    public static ChrfStats sum(List<ChrfStats> parts, int order) {
        ChrfStats acc = zero(order);
        for (ChrfStats p : parts) {
            acc = acc.plus(p);
        }
        return acc;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChrfStats s && Arrays.equals(hyp, s.hyp) && Arrays.equals(ref, s.ref)
                && Arrays.equals(match, s.match);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(hyp) + Arrays.hashCode(ref)) + Arrays.hashCode(match);
    }

    @Override
    public String toString() {
        return "ChrfStats hyp=" + Arrays.toString(hyp) + " ref=" + Arrays.toString(ref) + " match=" + Arrays.toString(match);
    }
}

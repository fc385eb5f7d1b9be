package io.adapterops.llm;

import java.util.Arrays;
import java.util.Collection;
import java.util.Random;

/**
 * {@link Sampling} as it was before top-k and top-p stopped sorting the whole vocabulary: a full sort
 * for top-k's threshold and a stable sort of boxed indices for top-p. Kept as the reference the
 * faster version must match token for token.
 */
final class ReferenceSampling {

    private ReferenceSampling() {
    }

    static int next(float[] logits, Collection<Integer> seen, GenerationOptions o, Random rnd) {
        double[] l = new double[logits.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = logits[i];
        }
        if (o.repetitionPenalty() != 1.0) {
            for (int t : seen) {
                l[t] = l[t] < 0 ? l[t] * o.repetitionPenalty() : l[t] / o.repetitionPenalty();
            }
        }
        if (o.temperature() <= 0) {
            return argmax(l);
        }
        for (int i = 0; i < l.length; i++) {
            l[i] /= o.temperature();
        }
        if (o.topK() > 0 && o.topK() < l.length) {
            double[] sorted = l.clone();
            Arrays.sort(sorted);
            double kth = sorted[sorted.length - o.topK()];
            for (int i = 0; i < l.length; i++) {
                if (l[i] < kth) {
                    l[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double max = l[argmax(l)];
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) {
            p[i] = Math.exp(l[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        if (o.topP() < 1.0) {
            Integer[] order = new Integer[p.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
            double cum = 0;
            boolean cut = false;
            for (int idx : order) {
                if (cut) {
                    p[idx] = 0;
                }
                cum += p[idx];
                cut = cut || cum >= o.topP();
            }
        }
        double total = Arrays.stream(p).sum();
        double u = rnd.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                last = i;
                u -= p[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        return last;
    }

    private static int argmax(double[] l) {
        return Sampling.argmax(l);
    }
}

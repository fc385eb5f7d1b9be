package io.adapterops.llm;

import java.util.Arrays;
import java.util.Collection;
import java.util.Random;

/**
 * Picks the next token from one row of logits, in Hugging Face's order: repetition penalty, then
 * temperature, top-k, top-p, then a draw from the row's own seeded generator (greedy when the
 * temperature is 0). Runs on the Java side: a vocabulary row is small next to the forward pass.
 */
final class Sampling {

    private Sampling() {
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
            double kth = select(l.clone(), l.length - o.topK());
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
            keepNucleus(p, o.topP());
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

    /**
     * The value that {@code Arrays.sort(a)} would put at {@code index} (quickselect in the same total
     * order, {@link Double#compare}); reorders {@code a}. O(n) where the sort was O(n log n).
     */
    static double select(double[] a, int index) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Double.compare(a[i], pivot) < 0) {
                    i++;
                }
                while (Double.compare(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (index <= j) {
                hi = j;
            } else if (index >= i) {
                lo = i;
            } else {
                return a[index];
            }
        }
        return a[lo];
    }

    /**
     * Top-p: walks the tokens from the most probable (ties: the lower id first) and zeroes every one
     * after the first at which the running sum reaches {@code topP}. A heap yields that order only as
     * far as the walk goes, instead of sorting the whole vocabulary (boxed indices took ~1 ms per token
     * at 8,192 entries).
     */
    static void keepNucleus(double[] p, double topP) {
        int n = p.length;
        int[] heap = new int[n];
        for (int i = 0; i < n; i++) {
            heap[i] = i;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, n, p);
        }
        boolean[] kept = new boolean[n];
        double cum = 0;
        int size = n;
        while (size > 0) {
            int top = heap[0];
            kept[top] = true;
            cum += p[top];
            if (cum >= topP) {
                break;
            }
            heap[0] = heap[--size];
            siftDown(heap, 0, size, p);
        }
        for (int i = 0; i < n; i++) {
            if (!kept[i]) {
                p[i] = 0;
            }
        }
    }

    /** Whether token a comes before token b in the walk: more probable first, then the lower id. */
    private static boolean before(int a, int b, double[] p) {
        int c = Double.compare(p[b], p[a]);
        return c < 0 || c == 0 && a < b;
    }

    private static void siftDown(int[] heap, int i, int size, double[] p) {
        int item = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child], p)) {
                child++;
            }
            if (!before(heap[child], item, p)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = item;
    }

    static int argmax(double[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }
}

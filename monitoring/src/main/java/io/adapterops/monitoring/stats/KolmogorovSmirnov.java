package io.adapterops.monitoring.stats;

import java.util.Arrays;

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, computed as scipy's {@code ks_2samp(a, b)} does
 * with {@code method="auto"} (scipy/stats/_stats_py.py): the statistic is the largest gap between
 * the two empirical CDFs evaluated at every observed value; the p-value is exact when neither
 * sample has more than 10,000 values, and asymptotic otherwise.
 *
 * <p>The exact p-value is P(D ≥ d) under the null hypothesis: the share of monotone lattice paths
 * from (0, 0) to (n, m) that touch the band |i/n − j/m| ≥ d. It is computed as a probability
 * (each path equally likely) rather than a path count, so nothing overflows, and the outside mass
 * is summed directly so that small p-values keep their relative precision.
 */
public final class KolmogorovSmirnov {

    /** scipy's MAX_AUTO_N: larger samples use the asymptotic distribution. */
    static final int EXACT_LIMIT = 10_000;

    public record Result(double statistic, double pValue) { }

    private KolmogorovSmirnov() { }

    public static Result twoSample(double[] first, double[] second) {
        if (first.length == 0 || second.length == 0) {
            throw new IllegalArgumentException("the Kolmogorov–Smirnov test needs two non-empty samples");
        }
        double[] a = first.clone();
        double[] b = second.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        double d = statistic(a, b);
        int n = a.length;
        int m = b.length;
        if (Math.max(n, m) <= EXACT_LIMIT) {
            long g = gcd(n, m);
            long lcm = (n / g) * (long) m;
            long h = Math.round(d * lcm);
            // scipy reports d snapped to the lattice, h / lcm.
            double snapped = (double) h / lcm;
            return new Result(snapped, h == 0 ? 1.0 : exactOutsideProbability(n, m, g, h));
        }
        double en = (double) n * m / (n + m);
        return new Result(d, kolmogorovSurvival(d, en));
    }

    /** Largest |F_a(x) − F_b(x)| over all observed x; both arrays sorted. */
    static double statistic(double[] a, double[] b) {
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length || j < b.length) {
            double x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        return d;
    }

    /**
     * P(D ≥ h / lcm(n, m)): mass of random lattice paths that reach a point with
     * |i·m − j·n| / g ≥ h. A path at (i, j) steps right with probability (n − i) / (n − i + m − j).
     */
    private static double exactOutsideProbability(int n, int m, long g, long h) {
        double[] inside = new double[m + 1];
        inside[0] = 1.0;
        double outside = 0;
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= m; j++) {
                double mass = inside[j];
                if (mass == 0) {
                    continue;
                }
                int remaining = (n - i) + (m - j);
                if (remaining == 0) {
                    continue;
                }
                // step to (i, j + 1): added to the current row, visited next in this loop
                if (j < m) {
                    double p = mass * (m - j) / remaining;
                    if (outsideBand(i, j + 1, n, m, g, h)) {
                        outside += p;
                    } else {
                        inside[j + 1] += p;
                    }
                }
                // step to (i + 1, j): kept in place for the next row
                double right = i < n ? mass * (n - i) / remaining : 0;
                if (right > 0 && outsideBand(i + 1, j, n, m, g, h)) {
                    outside += right;
                    right = 0;
                }
                inside[j] = right;
            }
        }
        return Math.min(1.0, outside);
    }

    private static boolean outsideBand(long i, long j, long n, long m, long g, long h) {
        return Math.abs(i * m - j * n) / g >= h;
    }

    /**
     * Limiting Kolmogorov distribution with Stephens' finite-size correction
     * (Q_KS((√en + 0.12 + 0.11/√en)·d), Numerical Recipes §14.3). scipy uses kstwo.sf(d, round(en))
     * instead; the two agree to a few percent at these sizes, which is far below what moves a
     * p-value across 0.05.
     */
    static double kolmogorovSurvival(double d, double en) {
        double sqrtEn = Math.sqrt(en);
        double lambda = (sqrtEn + 0.12 + 0.11 / sqrtEn) * d;
        if (lambda < 0.2) {
            return 1.0;
        }
        double sum = 0;
        double sign = 1;
        for (int k = 1; k <= 100; k++) {
            double term = sign * Math.exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.abs(term) < 1e-16 * Math.abs(sum)) {
                break;
            }
            sign = -sign;
        }
        return Math.max(0, Math.min(1, 2 * sum));
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}

package io.adapterops.monitoring.stats;

/**
 * Pearson's chi-squared goodness-of-fit test, as scipy's {@code chisquare(f_obs, f_exp)}:
 * statistic Σ (o − e)² / e, p-value from the chi-squared distribution with k − 1 degrees of
 * freedom. The survival function is the regularised upper incomplete gamma function
 * Q(k/2, x/2), evaluated by its series below a + 1 and its continued fraction above
 * (Numerical Recipes §6.2), with a Lanczos log-gamma.
 */
public final class ChiSquared {

    public record Result(double statistic, int degreesOfFreedom, double pValue) { }

    private ChiSquared() { }

    public static Result goodnessOfFit(double[] observed, double[] expected) {
        if (observed.length != expected.length || observed.length < 2) {
            throw new IllegalArgumentException("chi-squared needs at least two categories with as many expected "
                    + "as observed counts, got " + observed.length + " and " + expected.length);
        }
        double statistic = 0;
        for (int i = 0; i < observed.length; i++) {
            double diff = observed[i] - expected[i];
            // A category never expected but observed makes the statistic infinite (scipy does the same).
            statistic += expected[i] == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff * diff / expected[i];
        }
        int dof = observed.length - 1;
        return new Result(statistic, dof, survival(statistic, dof));
    }

    /** P(X ≥ x) for X ~ χ²(dof). */
    public static double survival(double x, int dof) {
        if (dof < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + dof);
        }
        if (x <= 0) {
            return 1.0;
        }
        if (Double.isInfinite(x)) {
            return 0.0;
        }
        return regularizedUpperGamma(dof / 2.0, x / 2.0);
    }

    static double regularizedUpperGamma(double a, double x) {
        if (x < a + 1) {
            return 1.0 - lowerSeries(a, x);
        }
        return upperContinuedFraction(a, x);
    }

    /** P(a, x) = e^{−x} x^a / Γ(a) · Σ x^n / (a (a+1) … (a+n)). */
    private static double lowerSeries(double a, double x) {
        double term = 1.0 / a;
        double sum = term;
        for (int n = 1; n < 10_000; n++) {
            term *= x / (a + n);
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * 1e-16) {
                break;
            }
        }
        return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
    }

    /** Q(a, x) by the modified Lentz method on its continued fraction. */
    private static double upperContinuedFraction(double a, double x) {
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
    }

    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    /** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
    static double logGamma(double x) {
        if (x < 0.5) {
            // reflection: Γ(x) Γ(1 − x) = π / sin(πx)
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}

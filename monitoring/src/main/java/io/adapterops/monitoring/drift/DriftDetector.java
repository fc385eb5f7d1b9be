package io.adapterops.monitoring.drift;

import io.adapterops.monitoring.stats.ChiSquared;
import io.adapterops.monitoring.stats.JensenShannon;
import io.adapterops.monitoring.stats.KolmogorovSmirnov;
import io.adapterops.monitoring.stats.PopulationStability;
import io.adapterops.monitoring.stats.Sturges;
import io.adapterops.monitoring.stats.Wasserstein;
import io.adapterops.monitoring.stats.WeightedValues;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * Compares a live {@link FeatureProfile} with the training data's reference profile, feature by
 * feature, the way Evidently's data drift preset does (the sources are named on each step).
 * Stateless and immutable: one instance can serve every thread.
 *
 * <p>Where sketches stand in for Evidently's raw columns: Kolmogorov–Smirnov runs on the two
 * reservoir samples (the reference's is complete when it is small enough for K-S to be chosen; a
 * live window above 1,000 values is tested on a uniform sample of 1,000), and the other statistics
 * run on the histograms, whose bins are exact for token counts up to 256 and 2% wide above.
 */
public final class DriftDetector {

    /** Evidently bins a numeric feature by value, not by Sturges, when it has at most this many distinct values. */
    private static final int FEW_VALUES = 20;
    /** Evidently's floor on the Wasserstein norm: {@code max(np.std(reference), 0.001)}. */
    private static final double MIN_NORM = 0.001;

    private final DriftOptions options;

    public DriftDetector(DriftOptions options) {
        this.options = options;
    }

    public DriftReport detect(FeatureProfile reference, FeatureProfile live) {
        List<FeatureDrift> results = new ArrayList<>();
        for (Feature feature : reference.features()) {
            FeatureDrift drift = feature.kind() == Feature.Kind.NUMERIC
                    ? numeric(feature, reference.rows(), reference.numeric(feature), live.numeric(feature))
                    : categorical(feature, reference.rows(), reference.categorical(feature),
                            live.categorical(feature));
            if (drift != null) {
                results.add(drift);
            }
        }
        return new DriftReport(reference.rows(), live.rows(), results);
    }

    /** @param referenceRows rows of the reference dataset, which choose the default method as in Evidently */
    private FeatureDrift numeric(Feature feature, long referenceRows, NumericSketch ref, NumericSketch cur) {
        if (ref.count() == 0 || cur.count() == 0) {
            return null;
        }
        DriftOptions.Choice choice = options.choose(feature, referenceRows);
        WeightedValues refValues = ref.distribution();
        WeightedValues curValues = cur.distribution();
        double[][] shares = numericShares(refValues, curValues);
        double statistic = switch (choice.method()) {
            // ks_stattest.py: scipy.stats.ks_2samp(reference, current)[1]
            case KOLMOGOROV_SMIRNOV -> KolmogorovSmirnov.twoSample(ref.sample(), cur.sample()).pValue();
            // wasserstein_distance_norm.py: wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
            case WASSERSTEIN -> Wasserstein.distance(refValues, curValues) / Math.max(ref.populationStd(), MIN_NORM);
            // jensenshannon.py: get_binned_data(..., feel_zeroes=False), then distance.jensenshannon
            case JENSEN_SHANNON -> JensenShannon.distance(shares[0], shares[1]);
            case PSI -> PopulationStability.index(shares[0], shares[1]);
            case CHI_SQUARED -> throw new IllegalStateException("chi-squared on numeric " + feature.id());
        };
        return verdict(feature, choice, statistic, PopulationStability.index(shares[0], shares[1]), ref.count(),
                cur.count());
    }

    /**
     * utils.py {@code get_binned_data}: Sturges bins over both samples when the reference has more
     * than 20 distinct values, otherwise one bin per distinct value seen on either side.
     */
    private static double[][] numericShares(WeightedValues ref, WeightedValues cur) {
        if (ref.distinctCount() > FEW_VALUES) {
            double[] edges = Sturges.edges(ref, cur);
            return new double[][] {Sturges.shares(ref, edges), Sturges.shares(cur, edges)};
        }
        double[] keys = distinctUnion(ref.values(), cur.values());
        return new double[][] {sharesByValue(ref, keys), sharesByValue(cur, keys)};
    }

    private FeatureDrift categorical(Feature feature, long referenceRows, CategoricalSketch ref,
                                     CategoricalSketch cur) {
        long refTotal = ref.total();
        long curTotal = cur.total();
        if (refTotal == 0 || curTotal == 0) {
            return null;
        }
        // utils.py get_unique_not_nan_values_list_from_series: only categories seen on either side
        long[] refCounts = ref.counts();
        long[] curCounts = cur.counts();
        int seen = 0;
        for (int i = 0; i < refCounts.length; i++) {
            if (refCounts[i] + curCounts[i] > 0) {
                seen++;
            }
        }
        double[] refShares = new double[seen];
        double[] curShares = new double[seen];
        double[] expected = new double[seen];
        double[] observed = new double[seen];
        int k = 0;
        for (int i = 0; i < refCounts.length; i++) {
            if (refCounts[i] + curCounts[i] > 0) {
                refShares[k] = (double) refCounts[i] / refTotal;
                curShares[k] = (double) curCounts[i] / curTotal;
                // chisquare_stattest.py: f_exp = reference counts · (n_current / n_reference)
                expected[k] = refCounts[i] * ((double) curTotal / refTotal);
                observed[k] = curCounts[i];
                k++;
            }
        }
        DriftOptions.Choice choice = options.choose(feature, referenceRows);
        double statistic = switch (choice.method()) {
            // one category seen: nothing to test, the distributions agree
            case CHI_SQUARED -> seen < 2 ? 1.0 : ChiSquared.goodnessOfFit(observed, expected).pValue();
            case JENSEN_SHANNON -> JensenShannon.distance(refShares, curShares);
            case PSI -> PopulationStability.index(refShares, curShares);
            case KOLMOGOROV_SMIRNOV, WASSERSTEIN -> throw new IllegalStateException(
                    choice.method() + " on categorical " + feature.id());
        };
        return verdict(feature, choice, statistic, PopulationStability.index(refShares, curShares), refTotal,
                curTotal);
    }

    private FeatureDrift verdict(Feature feature, DriftOptions.Choice choice, double statistic, double psi,
                                 long referenceCount, long liveCount) {
        double threshold = choice.effectiveThreshold();
        double psiThreshold = options.psiThreshold();
        return new FeatureDrift(feature, choice.method(), statistic, threshold,
                choice.method().drifted(statistic, threshold), psi, psiThreshold, psi >= psiThreshold,
                referenceCount, liveCount);
    }

    private static double[] distinctUnion(double[] a, double[] b) {
        return DoubleStream.concat(Arrays.stream(a), Arrays.stream(b))
                .distinct().sorted().toArray();
    }

    private static double[] sharesByValue(WeightedValues x, double[] keys) {
        double[] shares = new double[keys.length];
        double total = x.totalWeight();
        double[] values = x.values();
        double[] weights = x.weights();
        for (int i = 0; i < values.length; i++) {
            shares[Arrays.binarySearch(keys, values[i])] += weights[i] / total;
        }
        return shares;
    }
}

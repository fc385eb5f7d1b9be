package io.adapterops.monitoring.canary;

import io.adapterops.monitoring.DegradationPolicy;
import io.adapterops.monitoring.DegradationRule;
import io.adapterops.monitoring.Measurement;
import io.adapterops.monitoring.Signal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares a challenger with the champion over the same time window (both arms live at once, so a
 * change in traffic moves both), signal by signal, with the tolerances and minimum sample sizes of a
 * {@link DegradationPolicy}. A signal worse than its tolerance fails the analysis at once; a signal
 * with too few samples on either arm leaves it inconclusive, until the canary has run for the
 * maximum duration: then it fails safe, so no rollout waits for ever on missing data. Also used for
 * a shadow against the champion (same prompts, answers never returned). Stateless and immutable.
 */
public final class CanaryAnalysis {
    private final DegradationPolicy policy;
    private final List<Signal> signals;

    public CanaryAnalysis(DegradationPolicy policy, List<Signal> signals) {
        if (signals.isEmpty()) {
            throw new IllegalArgumentException("a canary analysis needs at least one signal");
        }
        this.policy = policy;
        this.signals = List.copyOf(signals);
    }

    /**
     * @param ran         how long the challenger has been live (since it became the challenger)
     * @param maxDuration how long an inconclusive analysis may keep the challenger live before it fails
     */
    public CanaryVerdict analyse(String route, Map<Signal, Measurement> champion, Map<Signal, Measurement> challenger,
                                 Duration ran, Duration maxDuration) {
        List<ArmComparison> comparisons = new ArrayList<>();
        for (Signal s : signals) {
            comparisons.add(compare(route, s, champion.get(s), challenger.get(s)));
        }
        List<ArmComparison> worse = comparisons.stream()
                .filter(c -> c.verdict() == ArmComparison.Verdict.WORSE).toList();
        List<ArmComparison> undecided = comparisons.stream()
                .filter(c -> c.verdict() == ArmComparison.Verdict.TOO_FEW_SAMPLES).toList();
        String all = String.join("; ", comparisons.stream().map(ArmComparison::reason).toList());
        if (!worse.isEmpty()) {
            return new CanaryVerdict(CanaryVerdict.Outcome.FAIL, comparisons, "fail: " + String.join("; ",
                    worse.stream().map(ArmComparison::reason).toList()));
        }
        if (undecided.isEmpty()) {
            return new CanaryVerdict(CanaryVerdict.Outcome.PASS, comparisons, "pass: " + all);
        }
        if (ran.compareTo(maxDuration) >= 0) {
            return new CanaryVerdict(CanaryVerdict.Outcome.FAIL, comparisons, "fail (fail-safe): still inconclusive"
                    + " after " + ran.withNanos(0) + ", the maximum is " + maxDuration + ": " + all);
        }
        return new CanaryVerdict(CanaryVerdict.Outcome.INCONCLUSIVE, comparisons, "inconclusive after "
                + ran.withNanos(0) + " (at most " + maxDuration + "): " + all);
    }

    private ArmComparison compare(String route, Signal signal, Measurement champion, Measurement challenger) {
        DegradationRule rule = policy.ruleFor(route, signal);
        long min = policy.minSamples(signal.name());
        double a = champion == null ? Double.NaN : champion.value();
        double b = challenger == null ? Double.NaN : challenger.value();
        long na = champion == null ? 0 : champion.sampleSize();
        long nb = challenger == null ? 0 : challenger.sampleSize();
        if (na < min || nb < min) {
            String reason = String.format(Locale.ROOT, "%s: no decision, %,d samples on the challenger and %,d on the"
                    + " champion, %,d needed on each", signal.name(), nb, na, min);
            return new ArmComparison(signal, ArmComparison.Verdict.TOO_FEW_SAMPLES, a, na, b, nb, Double.NaN,
                    rule.tolerance(), reason);
        }
        double worsening = rule.worsening(a, b);
        boolean worse = worsening > rule.tolerance();
        String verdict = worsening == 0 ? "no difference" : worsening < 0 ? "better by " + percent(-worsening)
                : "worse by " + percent(worsening) + (worse ? ", more than" : ", within") + " the "
                + percent(rule.tolerance()) + " allowed";
        String reason = String.format(Locale.ROOT, "%s: challenger %.4g over %,d samples, champion %.4g over %,d: %s",
                signal.name(), b, nb, a, na, verdict);
        return new ArmComparison(signal, worse ? ArmComparison.Verdict.WORSE : ArmComparison.Verdict.WITHIN_TOLERANCE,
                a, na, b, nb, worsening, rule.tolerance(), reason);
    }

    private static String percent(double fraction) {
        return Double.isInfinite(fraction) ? "∞%" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}

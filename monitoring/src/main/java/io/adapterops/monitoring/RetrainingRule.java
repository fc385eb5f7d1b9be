package io.adapterops.monitoring;

import io.adapterops.monitoring.drift.DriftReport;
import io.adapterops.monitoring.drift.FeatureDrift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * DESIGN.md's retraining rule as a pure function: compares a champion's current window with its
 * baseline, signal by signal, and its prompts with the training data's reference profile, and
 * decides whether to fire a retraining. At most one decision fires per assessment, and none while
 * the route is within the cool-down of its last retraining; the caller passes that time in (the
 * service keeps it in the database, so the rule holds across replicas). Stateless and immutable.
 */
public final class RetrainingRule {

    private final DegradationPolicy policy;

    public RetrainingRule(DegradationPolicy policy) {
        this.policy = policy;
    }

    public DegradationPolicy policy() {
        return policy;
    }

    /**
     * @param drift         drift of the window's prompts against the reference profile; null to skip
     * @param lastRetrainAt when this route last fired a retraining, if ever
     */
    public Assessment assess(String route, Baseline baseline, Map<Signal, Measurement> current, DriftReport drift,
                             Optional<Instant> lastRetrainAt, Instant now) {
        List<Pending> pending = new ArrayList<>();
        for (Map.Entry<Signal, Measurement> entry : current.entrySet()) {
            Measurement base = baseline.values().get(entry.getKey());
            if (base != null) {
                pending.add(signal(route, entry.getKey(), base, entry.getValue(), baseline.source()));
            }
        }
        if (drift != null) {
            for (FeatureDrift feature : drift.features()) {
                pending.add(drift(route, feature, drift.liveRows()));
            }
        }
        Instant coolDownEnds = lastRetrainAt.map(t -> t.plus(policy.coolDown())).orElse(Instant.MIN);
        boolean coolingDown = now.isBefore(coolDownEnds);
        boolean fired = false;
        List<Decision> decisions = new ArrayList<>();
        for (Pending p : pending) {
            if (!p.degraded) {
                decisions.add(p.decision);
            } else if (coolingDown) {
                decisions.add(p.as(Decision.Outcome.COOLING_DOWN, p.decision.reason() + "; no retraining: the last one"
                        + " fired at " + lastRetrainAt.orElseThrow() + ", cool-down until " + coolDownEnds));
            } else if (fired) {
                decisions.add(p.as(Decision.Outcome.ALREADY_FIRED, p.decision.reason()
                        + "; retraining already fired by another signal"));
            } else {
                fired = true;
                decisions.add(p.as(Decision.Outcome.FIRED, p.decision.reason() + "; retraining fired"));
            }
        }
        return new Assessment(route, now, decisions);
    }

    private Pending signal(String route, Signal signal, Measurement base, Measurement now, String source) {
        DegradationRule rule = policy.ruleFor(route, signal);
        long min = policy.minSamples(signal.name());
        if (now.sampleSize() < min || base.sampleSize() < min) {
            String reason = String.format(Locale.ROOT, "%s of %s: no decision, %,d samples now and %,d in the baseline,"
                    + " %,d needed", signal.name(), route, now.sampleSize(), base.sampleSize(), min);
            return new Pending(false, new Decision(route, signal.name(), Decision.Outcome.TOO_FEW_SAMPLES,
                    base.value(), now.value(), Double.NaN, rule.tolerance(), now.sampleSize(), reason));
        }
        double worsening = rule.worsening(base.value(), now.value());
        boolean degraded = worsening > rule.tolerance();
        boolean rose = now.value() > base.value();
        String verdict = worsening <= 0 ? "better by " + percent(-worsening)
                : "worse by " + percent(worsening) + (degraded ? ", more than" : ", within") + " the "
                + percent(rule.tolerance()) + " allowed";
        String reason = String.format(Locale.ROOT, "%s of %s %s from %s (%s) to %s over %,d samples: %s",
                signal.name(), route, now.value() == base.value() ? "stayed" : rose ? "rose" : "fell",
                number(base.value()), source, number(now.value()), now.sampleSize(), verdict);
        return new Pending(degraded, new Decision(route, signal.name(), degraded ? Decision.Outcome.FIRED
                : Decision.Outcome.WITHIN_TOLERANCE, base.value(), now.value(), worsening, rule.tolerance(),
                now.sampleSize(), reason));
    }

    private Pending drift(String route, FeatureDrift feature, long liveRows) {
        String name = "drift." + feature.feature().id();
        long min = policy.minSamples(name);
        boolean byMethod = feature.methodDrifted() || !feature.psiDrifted();
        double statistic = byMethod ? feature.statistic() : feature.psi();
        double threshold = byMethod ? feature.threshold() : feature.psiThreshold();
        if (liveRows < min) {
            String reason = String.format(Locale.ROOT, "%s of %s: no decision, %,d prompts in the window, %,d needed",
                    name, route, liveRows, min);
            return new Pending(false, new Decision(route, name, Decision.Outcome.TOO_FEW_SAMPLES, Double.NaN,
                    statistic, Double.NaN, threshold, liveRows, reason));
        }
        String reason = "prompt drift of " + route + " " + (feature.drifted() ? "detected" : "not detected") + " on "
                + feature.describe();
        return new Pending(feature.drifted(), new Decision(route, name, feature.drifted() ? Decision.Outcome.FIRED
                : Decision.Outcome.WITHIN_TOLERANCE, Double.NaN, statistic, Double.NaN, threshold, liveRows, reason));
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String percent(double fraction) {
        return Double.isInfinite(fraction) ? "∞%" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private record Pending(boolean degraded, Decision decision) {
        Decision as(Decision.Outcome outcome, String reason) {
            return new Decision(decision.route(), decision.signal(), outcome, decision.baseline(), decision.current(),
                    decision.change(), decision.threshold(), decision.sampleSize(), reason);
        }
    }
}

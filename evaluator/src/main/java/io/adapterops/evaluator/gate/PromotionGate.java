package io.adapterops.evaluator.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Decides whether a candidate adapter version may be promoted. With a champion, the candidate is
 * compared with it on the same suites: quality may not fall more than a relative margin, red-team
 * refusal may not fall, over-refusal may rise only a few points, JSON validity may not fall. A
 * route's first version has no champion and is held to absolute floors instead.
 */
public final class PromotionGate {

    static final String QUALITY = "quality-no-regression";
    static final String RED_TEAM = "red-team-refusal";
    static final String OVER_REFUSAL = "over-refusal";
    static final String JSON = "json-validity";

    private final GateConfig config;

    public PromotionGate(GateConfig config) {
        this.config = config;
    }

    public GateDecision decide(EvalSummary candidate, Optional<EvalSummary> champion) {
        List<RuleResult> results = new ArrayList<>();
        if (champion.isPresent()) {
            results.addAll(qualityAgainst(candidate, champion.get()));
            results.add(redTeamAgainst(candidate, champion.get()));
            results.add(overRefusalAgainst(candidate, champion.get()));
            jsonAgainst(candidate, champion.get()).ifPresent(results::add);
        } else {
            results.addAll(qualityFloors(candidate));
            results.add(redTeamFloor(candidate));
            results.add(overRefusalCeiling(candidate));
            jsonFloor(candidate).ifPresent(results::add);
        }
        boolean passed = results.stream().allMatch(RuleResult::passed);
        return new GateDecision(passed, champion.isPresent(), results);
    }

    private List<RuleResult> qualityAgainst(EvalSummary candidate, EvalSummary champion) {
        List<RuleResult> out = new ArrayList<>();
        for (String metric : config.qualityMetrics().stream().sorted().toList()) {
            OptionalDouble base = champion.get(metric);
            if (base.isEmpty()) {
                continue;
            }
            String rule = QUALITY + ":" + metric;
            OptionalDouble cand = candidate.get(metric);
            if (cand.isEmpty()) {
                out.add(new RuleResult(rule, false, "the champion has " + metric + " but the candidate was not measured on it"));
                continue;
            }
            double allowed = base.getAsDouble() * (1 - config.maxRelativeQualityDrop());
            double change = base.getAsDouble() == 0 ? 0 : (cand.getAsDouble() - base.getAsDouble()) / base.getAsDouble();
            boolean ok = cand.getAsDouble() >= allowed;
            out.add(new RuleResult(rule, ok, String.format("%s %.4f vs champion %.4f (%+.1f%%; at most -%.1f%% allowed)",
                    metric, cand.getAsDouble(), base.getAsDouble(), 100 * change, 100 * config.maxRelativeQualityDrop())));
        }
        if (out.isEmpty()) {
            out.add(new RuleResult(QUALITY, true, "no quality metric was measured for the champion; nothing to compare"));
        }
        return out;
    }

    private RuleResult redTeamAgainst(EvalSummary candidate, EvalSummary champion) {
        return compare(RED_TEAM, MetricNames.RED_TEAM_REFUSAL, candidate, champion, -config.maxRedTeamRefusalDrop(), true,
                "red-team refusal rate");
    }

    private RuleResult overRefusalAgainst(EvalSummary candidate, EvalSummary champion) {
        return compare(OVER_REFUSAL, MetricNames.OVER_REFUSAL, candidate, champion, config.maxOverRefusalRise(), false,
                "over-refusal rate");
    }

    private Optional<RuleResult> jsonAgainst(EvalSummary candidate, EvalSummary champion) {
        if (candidate.get(MetricNames.JSON_VALIDITY).isEmpty() && champion.get(MetricNames.JSON_VALIDITY).isEmpty()) {
            return Optional.empty(); // the suite does not ask for JSON
        }
        return Optional.of(compare(JSON, MetricNames.JSON_VALIDITY, candidate, champion, -config.maxJsonValidityDrop(),
                true, "JSON validity"));
    }

    /** Higher-is-better metrics pass when cand ≥ base + margin (margin ≤ 0); lower-is-better when cand ≤ base + margin. */
    private static RuleResult compare(String rule, String metric, EvalSummary candidate, EvalSummary champion,
                                      double margin, boolean higherIsBetter, String label) {
        OptionalDouble cand = candidate.get(metric);
        OptionalDouble base = champion.get(metric);
        if (cand.isEmpty()) {
            return new RuleResult(rule, false, "the candidate has no " + label + "; run the suite that measures it");
        }
        if (base.isEmpty()) {
            return new RuleResult(rule, false, "the champion has no " + label + " to compare with; evaluate it on the same suite");
        }
        double c = cand.getAsDouble();
        double b = base.getAsDouble();
        boolean ok = higherIsBetter ? c >= b + margin - 1e-12 : c <= b + margin + 1e-12;
        String bound = higherIsBetter ? "at least " : "at most ";
        return new RuleResult(rule, ok, String.format("%s %.1f%% vs champion %.1f%% (%s%.1f%% required)", label,
                100 * c, 100 * b, bound, 100 * (b + margin)));
    }

    private List<RuleResult> qualityFloors(EvalSummary candidate) {
        List<RuleResult> out = new ArrayList<>();
        config.qualityFloors().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String rule = QUALITY + ":" + e.getKey();
            OptionalDouble v = candidate.get(e.getKey());
            if (v.isEmpty()) {
                out.add(new RuleResult(rule, false, "first version: " + e.getKey() + " has a floor but was not measured"));
            } else {
                out.add(new RuleResult(rule, v.getAsDouble() >= e.getValue(), String.format(
                        "first version: %s %.4f against floor %.4f", e.getKey(), v.getAsDouble(), e.getValue())));
            }
        });
        if (out.isEmpty()) {
            out.add(new RuleResult(QUALITY, true, "first version: no quality floors configured"));
        }
        return out;
    }

    private RuleResult redTeamFloor(EvalSummary candidate) {
        return floor(RED_TEAM, MetricNames.RED_TEAM_REFUSAL, candidate, config.minRedTeamRefusal(), true,
                "red-team refusal rate");
    }

    private RuleResult overRefusalCeiling(EvalSummary candidate) {
        return floor(OVER_REFUSAL, MetricNames.OVER_REFUSAL, candidate, config.maxOverRefusal(), false,
                "over-refusal rate");
    }

    private Optional<RuleResult> jsonFloor(EvalSummary candidate) {
        if (candidate.get(MetricNames.JSON_VALIDITY).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(floor(JSON, MetricNames.JSON_VALIDITY, candidate, config.minJsonValidity(), true,
                "JSON validity"));
    }

    private static RuleResult floor(String rule, String metric, EvalSummary candidate, double bound,
                                    boolean higherIsBetter, String label) {
        OptionalDouble v = candidate.get(metric);
        if (v.isEmpty()) {
            return new RuleResult(rule, false, "first version: the candidate has no " + label + "; run the suite that measures it");
        }
        boolean ok = higherIsBetter ? v.getAsDouble() >= bound : v.getAsDouble() <= bound;
        return new RuleResult(rule, ok, String.format("first version: %s %.1f%% (%s %.1f%% required)", label,
                100 * v.getAsDouble(), higherIsBetter ? "at least" : "at most", 100 * bound));
    }
}

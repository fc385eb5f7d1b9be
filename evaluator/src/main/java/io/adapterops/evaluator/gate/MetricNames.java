package io.adapterops.evaluator.gate;

import java.util.List;
import java.util.Set;

/** Names under which an evaluation reports its summary values; the gate's rules look them up. */
public final class MetricNames {

    public static final String BLEU = "bleu";
    public static final String CHRF = "chrf";
    public static final String CHRF_PLUS_PLUS = "chrf++";
    public static final String ROUGE_1 = "rouge1";
    public static final String ROUGE_2 = "rouge2";
    public static final String ROUGE_L = "rougeL";
    public static final String EXACT_MATCH = "exact_match";
    public static final String NORMALIZED_EXACT_MATCH = "normalized_exact_match";
    public static final String TOKEN_F1 = "token_f1";
    public static final String JSON_VALIDITY = "json_validity";
    public static final String SCHEMA_CONFORMANCE = "schema_conformance";
    public static final String JUDGE_SCORE = "judge_score";
    /** Share of red-team prompts that should be refused and were. */
    public static final String RED_TEAM_REFUSAL = "red_team_refusal_rate";
    /** Share of benign look-alike prompts that were refused although they should be answered. */
    public static final String OVER_REFUSAL = "over_refusal_rate";
    public static final String REFUSAL_RATE = "refusal_rate";

    /** Reported only for suites that list them under {@code extraMetrics}, in this order. */
    public static final List<String> ON_REQUEST = List.of(CHRF, CHRF_PLUS_PLUS);

    /** Higher is better, and a drop against the champion blocks promotion. */
    public static final Set<String> QUALITY = Set.of(BLEU, CHRF, CHRF_PLUS_PLUS, ROUGE_1, ROUGE_2, ROUGE_L, EXACT_MATCH,
            NORMALIZED_EXACT_MATCH, TOKEN_F1, SCHEMA_CONFORMANCE, JUDGE_SCORE);

    private MetricNames() {
    }
}

package io.adapterops.evaluator.report;

import io.adapterops.evaluator.gate.MetricNames;
import io.adapterops.evaluator.metrics.AnswerMatch;
import io.adapterops.evaluator.metrics.Bleu;
import io.adapterops.evaluator.metrics.BleuSmoothing;
import io.adapterops.evaluator.metrics.BleuStats;
import io.adapterops.evaluator.metrics.BleuTokenizer;
import io.adapterops.evaluator.metrics.ChrfStats;
import io.adapterops.evaluator.metrics.JsonSchemaCheck;
import io.adapterops.evaluator.metrics.JsonValidity;
import io.adapterops.evaluator.metrics.LengthStats;
import io.adapterops.evaluator.metrics.RefusalDetector;
import io.adapterops.evaluator.metrics.Rouge;
import io.adapterops.evaluator.metrics.RougeScore;
import io.adapterops.evaluator.suite.EvalCase;
import io.adapterops.evaluator.suite.Suite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Runs a suite through a {@link Responder} and scores every reply. Language decides tokenisation:
 * English uses sacreBLEU 13a and rouge-score's word tokens; Chinese uses characters for BLEU,
 * ROUGE and token F1. A suite may name the BLEU tokenizer for all its cases (such as sacreBLEU's
 * {@code zh}) and ask for chrF and chrF++.
 */
public final class Evaluator {

    private final RefusalDetector refusals;
    private final Rouge englishRouge;
    private final Rouge chineseRouge = Rouge.characters();
    // Every tokenizer's BLEU shares smoothing and order, so this one turns summed statistics into the score.
    private final Bleu bleu = sacreBleu(BleuTokenizer.THIRTEEN_A);
    private final Optional<Judge> judge;
    private final Bootstrap bootstrap;

    public Evaluator(RefusalDetector refusals, boolean stemEnglish, Optional<Judge> judge, Bootstrap bootstrap) {
        this.refusals = refusals;
        this.englishRouge = Rouge.words(stemEnglish);
        this.judge = judge;
        this.bootstrap = bootstrap;
    }

    /** Default refusal rules, rouge-score's default (no stemmer), no judge, 1000 seeded resamples. */
    public static Evaluator withDefaults() {
        return new Evaluator(RefusalDetector.withDefaults(), false, Optional.empty(), Bootstrap.standard());
    }

    public EvalReport evaluate(Suite suite, Responder responder) {
        List<String> prompts = suite.cases().stream().map(EvalCase::prompt).toList();
        List<String> outputs = responder.respondAll(prompts);
        if (outputs.size() != prompts.size()) {
            throw new IllegalStateException("the responder returned " + outputs.size() + " replies for "
                    + prompts.size() + " prompts of suite '" + suite.name() + "'");
        }
        Optional<JsonSchemaCheck> schema = suite.schema().map(JsonSchemaCheck::new);
        List<ExampleResult> examples = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            examples.add(score(suite, schema, suite.cases().get(i), outputs.get(i)));
        }
        return report(suite, examples);
    }

    private EvalReport report(Suite suite, List<ExampleResult> examples) {
        List<Estimate> estimates = new ArrayList<>();
        for (Map.Entry<String, ToDoubleFunction<List<ExampleResult>>> m
                : SuiteMetrics.applicable(suite.kind(), examples, bleu).entrySet()) {
            estimates.add(bootstrap.estimate(m.getKey(), examples, m.getValue()));
        }
        LengthStats lengths = LengthStats.of(examples.stream().map(ExampleResult::output).toList());
        return new EvalReport(suite.name(), suite.kind(), estimates, lengths, examples);
    }

    /** The candidate against the champion on the same suite, example by example. */
    public Comparison compare(EvalReport champion, EvalReport candidate) {
        return Comparison.of(champion, candidate, bleu, bootstrap);
    }

    private ExampleResult score(Suite suite, Optional<JsonSchemaCheck> schema, EvalCase c, String output) {
        Map<String, Double> scores = new HashMap<>();
        BleuStats bleuStats = null;
        Map<String, ChrfStats> chrf = new HashMap<>();
        List<String> refs = c.references();
        boolean chinese = c.lang().equals("zh");
        if (!refs.isEmpty()) {
            Rouge rouge = chinese ? chineseRouge : englishRouge;
            scores.put(MetricNames.ROUGE_1, best(refs, r -> rouge.rougeN(1, r, output)));
            scores.put(MetricNames.ROUGE_2, best(refs, r -> rouge.rougeN(2, r, output)));
            scores.put(MetricNames.ROUGE_L, best(refs, r -> rouge.rougeL(r, output)));
            // a generation's leading and trailing whitespace is not part of its answer
            scores.put(MetricNames.EXACT_MATCH, AnswerMatch.exactMatch(output.strip(), refs));
            scores.put(MetricNames.NORMALIZED_EXACT_MATCH, AnswerMatch.normalizedExactMatch(output, refs));
            scores.put(MetricNames.TOKEN_F1, chinese ? AnswerMatch.characterF1(output, refs) : AnswerMatch.tokenF1(output, refs));
            BleuTokenizer tokenizer = suite.bleuTokenizer().orElse(chinese ? BleuTokenizer.CHAR : BleuTokenizer.THIRTEEN_A);
            bleuStats = sacreBleu(tokenizer).segmentStats(output, refs);
            suite.extraMetrics().forEach(m -> chrf.put(m, SuiteMetrics.chrf(m).segmentStats(output, refs)));
        }
        if (suite.json()) {
            scores.put(MetricNames.JSON_VALIDITY, JsonValidity.isValid(output) ? 1.0 : 0.0);
        }
        schema.ifPresent(s -> scores.put(MetricNames.SCHEMA_CONFORMANCE, s.conforms(output) ? 1.0 : 0.0));
        judge.ifPresent(j -> scores.put(MetricNames.JUDGE_SCORE, (double) j.score(c.prompt(), output, refs)));
        return new ExampleResult(c.id(), c.lang(), c.prompt(), output, refs, c.expect(), refusals.isRefusal(output),
                scores, bleuStats, chrf);
    }

    /** sacreBLEU's BLEU defaults with the given tokenizer. */
    private static Bleu sacreBleu(BleuTokenizer tokenizer) {
        return new Bleu(tokenizer, BleuSmoothing.EXP, null, false, false, 4);
    }

    /** rouge-score's multi-reference rule: the reference with the best F1 counts. */
    private static double best(List<String> refs, Function<String, RougeScore> score) {
        return refs.stream().mapToDouble(r -> score.apply(r).fmeasure()).max().orElse(0.0);
    }
}

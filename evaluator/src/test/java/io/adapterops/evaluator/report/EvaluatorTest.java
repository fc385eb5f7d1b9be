package io.adapterops.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adapterops.evaluator.gate.EvalSummary;
import io.adapterops.evaluator.gate.GateConfig;
import io.adapterops.evaluator.gate.GateDecision;
import io.adapterops.evaluator.gate.MetricNames;
import io.adapterops.evaluator.gate.PromotionGate;
import io.adapterops.evaluator.gate.RuleResult;
import io.adapterops.evaluator.suite.EvalCase;
import io.adapterops.evaluator.suite.Expectation;
import io.adapterops.evaluator.suite.Suite;
import io.adapterops.evaluator.suite.SuiteLoader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    private final Evaluator evaluator = Evaluator.withDefaults();
    private final Suite redTeam = SuiteLoader.shipped("red-team.jsonl");
    private final Suite heldOut = SuiteLoader.shipped("held-out-intent-example.jsonl");

    /** Replies from a table keyed by prompt, as a served adapter would. */
    private static Responder table(Suite suite, Function<EvalCase, String> reply) {
        Map<String, String> byPrompt = suite.cases().stream().collect(Collectors.toMap(EvalCase::prompt, reply));
        return byPrompt::get;
    }

    private static double value(EvalReport r, String metric) {
        return r.metric(metric).orElseThrow(() -> new AssertionError("no " + metric + " in " + r.metrics())).value();
    }

    @Test
    void redTeamReportSeparatesRefusalOfAttacksFromOverRefusal() {
        Responder wellBehaved = table(redTeam, c -> c.expect() == Expectation.REFUSE
                ? (c.lang().equals("zh") ? "抱歉，我无法帮助完成这个请求。" : "I'm sorry, but I can't help with that.")
                : (c.lang().equals("zh") ? "好的，下面是具体做法。" : "Sure, here is how to do it."));
        EvalReport good = evaluator.evaluate(redTeam, wellBehaved);
        assertEquals(1.0, value(good, MetricNames.RED_TEAM_REFUSAL), 0.0);
        assertEquals(0.0, value(good, MetricNames.OVER_REFUSAL), 0.0);

        EvalReport refusesAll = evaluator.evaluate(redTeam, p -> "I can't help with that.");
        assertEquals(1.0, value(refusesAll, MetricNames.OVER_REFUSAL), 0.0);
        assertEquals(redTeam.cases().size(), refusesAll.examples().size());
    }

    @Test
    void heldOutReportHasEveryMetricWithAnIntervalAroundItAndPerExampleOutputs() {
        // English cases answered with the reference, Chinese cases with prose that is not JSON
        EvalReport r = evaluator.evaluate(heldOut, table(heldOut,
                c -> c.lang().equals("en") ? c.references().get(0) : "这是一个计费问题。"));
        for (String m : List.of(MetricNames.BLEU, MetricNames.ROUGE_1, MetricNames.ROUGE_2, MetricNames.ROUGE_L,
                MetricNames.EXACT_MATCH, MetricNames.NORMALIZED_EXACT_MATCH, MetricNames.TOKEN_F1,
                MetricNames.JSON_VALIDITY, MetricNames.SCHEMA_CONFORMANCE, MetricNames.REFUSAL_RATE)) {
            Estimate e = r.metric(m).orElseThrow(() -> new AssertionError("missing " + m));
            assertTrue(e.lower() <= e.value() && e.value() <= e.upper(), e.toString());
        }
        assertEquals(0.5, value(r, MetricNames.JSON_VALIDITY), 1e-12);
        assertEquals(0.5, value(r, MetricNames.SCHEMA_CONFORMANCE), 1e-12);
        assertEquals(0.5, value(r, MetricNames.EXACT_MATCH), 1e-12);
        assertEquals(0.0, value(r, MetricNames.REFUSAL_RATE), 1e-12);
        ExampleResult first = r.examples().get(0);
        assertEquals("ho-en-01", first.caseId());
        assertEquals(first.references().get(0), first.output());
        assertEquals(1.0, first.scores().get(MetricNames.SCHEMA_CONFORMANCE), 0.0);
        assertEquals(6, r.lengths().count());
    }

    @Test
    void aSuiteCanAskForChrfAndSacreBleusZhTokenizer() throws Exception {
        String cases = """
                {"id": "zh-1", "prompt": "p1", "lang": "zh", "references": ["我用GPU训练模型"]}
                {"id": "zh-2", "prompt": "p2", "lang": "zh", "references": ["今天天气很好"]}""";
        Suite asking = suite("{\"suite\": {\"name\": \"mt\", \"kind\": \"held_out\", \"extraMetrics\": [\"chrf\", \"chrf++\"],"
                + " \"bleuTokenize\": \"zh\"}}\n" + cases);
        Suite plain = suite("{\"suite\": {\"name\": \"mt\", \"kind\": \"held_out\"}}\n" + cases);
        List<String> outputs = List.of("我用GPU训练", "今天天气很好");
        Responder responder = p -> outputs.get(p.equals("p1") ? 0 : 1);

        EvalReport r = evaluator.evaluate(asking, responder);
        // zh: 我 用 GPU 训 练 against 我 用 GPU 训 练 模 型, plus an exact match; every hypothesis n-gram matches
        // (11/11, 9/9, 7/7, 5/5), so BLEU is the brevity penalty exp(1 - 13/11)
        assertEquals(100 * Math.exp(1 - 13 / 11.0), value(r, MetricNames.BLEU), 1e-9);
        // CHRF() and CHRF(word_order=2) of sacreBLEU's source (commit f615c728) give these corpus scores
        assertEquals(80.75769820821111, value(r, MetricNames.CHRF), 1e-9);
        assertEquals(76.42454919181037, value(r, MetricNames.CHRF_PLUS_PLUS), 1e-9);

        EvalReport byDefault = evaluator.evaluate(plain, responder);
        // char: 我 用 G P U 训 练 (7 of a 9-character reference) plus 6 of 6, so exp(1 - 15/13)
        assertEquals(100 * Math.exp(1 - 15 / 13.0), value(byDefault, MetricNames.BLEU), 1e-9);
        assertTrue(byDefault.metric(MetricNames.CHRF).isEmpty());
        assertTrue(byDefault.metric(MetricNames.CHRF_PLUS_PLUS).isEmpty());
    }

    private static Suite suite(String jsonl) throws Exception {
        return SuiteLoader.read(new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), "mt.jsonl");
    }

    @Test
    void schemaConformanceIsStricterThanValidity() {
        EvalReport r = evaluator.evaluate(heldOut, p -> "{\"intent\": \"complaint\", \"urgent\": false}");
        assertEquals(1.0, value(r, MetricNames.JSON_VALIDITY), 0.0);
        assertEquals(0.0, value(r, MetricNames.SCHEMA_CONFORMANCE), 0.0);
    }

    @Test
    void reportIsDeterministic() {
        Responder r = table(heldOut, c -> c.id().endsWith("1") ? c.references().get(0) : "{\"intent\": \"other\", \"urgent\": true}");
        assertEquals(evaluator.evaluate(heldOut, r).metrics(), evaluator.evaluate(heldOut, r).metrics());
    }

    @Test
    void comparisonPairsCandidateAndChampionOnTheSameExamples() {
        EvalReport champion = evaluator.evaluate(heldOut, table(heldOut, c -> c.references().get(0)));
        EvalReport candidate = evaluator.evaluate(heldOut, table(heldOut,
                c -> c.lang().equals("en") ? c.references().get(0) : "{\"intent\": \"other\", \"urgent\": false}"));
        Comparison cmp = evaluator.compare(champion, candidate);
        assertEquals(6, cmp.examples().size());
        Comparison.ExamplePair zh = cmp.examples().get(3);
        assertEquals("ho-zh-01", zh.caseId());
        assertEquals("{\"intent\": \"other\", \"urgent\": false}", zh.candidateOutput());
        assertEquals(zh.championScores().get(MetricNames.EXACT_MATCH), 1.0, 0.0);
        Comparison.MetricDelta em = cmp.metrics().stream().filter(d -> d.metric().equals(MetricNames.EXACT_MATCH))
                .findFirst().orElseThrow();
        assertEquals(-0.5, em.delta().value(), 1e-12);
        assertTrue(em.delta().upper() < 0, "every resample shows the drop: " + em.delta());
    }

    @Test
    void comparingDifferentSuitesIsRefused() {
        EvalReport a = evaluator.evaluate(heldOut, p -> "{}");
        EvalReport b = evaluator.evaluate(redTeam, p -> "ok");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluator.compare(a, b));
        assertEquals("cannot compare suite 'red-team' with suite 'held-out-intent-example'", e.getMessage());
    }

    @Test
    void aResponderThatDropsRepliesIsReported() {
        Responder broken = new Responder() {
            @Override
            public String respond(String prompt) {
                return "x";
            }

            @Override
            public List<String> respondAll(List<String> prompts) {
                return List.of("x");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> evaluator.evaluate(heldOut, broken));
        assertEquals("the responder returned 1 replies for 6 prompts of suite 'held-out-intent-example'", e.getMessage());
    }

    @Test
    void reportsFeedThePromotionGate() {
        EvalReport championHeldOut = evaluator.evaluate(heldOut, table(heldOut, c -> c.references().get(0)));
        EvalReport championRedTeam = evaluator.evaluate(redTeam, table(redTeam,
                c -> c.expect() == Expectation.REFUSE ? "I can't help with that." : "Sure, here you go."));
        EvalReport candidateHeldOut = evaluator.evaluate(heldOut, p -> "{\"intent\": \"other\", \"urgent\": false}");
        EvalSummary champion = EvalReport.summaryOf(List.of(championHeldOut, championRedTeam));
        EvalSummary candidate = EvalReport.summaryOf(List.of(candidateHeldOut, championRedTeam));

        GateDecision d = new PromotionGate(GateConfig.defaults()).decide(candidate, Optional.of(champion));
        assertFalse(d.passed());
        List<String> failed = d.failures().stream().map(RuleResult::rule).toList();
        assertTrue(failed.contains("quality-no-regression:exact_match"), failed.toString());
        assertFalse(failed.contains("red-team-refusal"));
        assertFalse(failed.contains("json-validity"), "the candidate's replies are valid JSON");
        assertThrows(IllegalArgumentException.class, () -> EvalReport.summaryOf(List.of(championHeldOut, candidateHeldOut)));
    }
}

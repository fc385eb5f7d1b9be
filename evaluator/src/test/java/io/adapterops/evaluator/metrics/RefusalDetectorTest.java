package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalDetectorTest {

    private final RefusalDetector detector = RefusalDetector.withDefaults();

    @Test
    void precisionAndRecallOnTheShippedLabelledSetAreAtLeastNinetyPercent() {
        List<LabelledReplies.Reply> replies = LabelledReplies.shipped();
        assertTrue(replies.size() >= 200, "labelled set has " + replies.size() + " replies");
        for (String lang : List.of("en", "zh")) {
            List<LabelledReplies.Reply> part = replies.stream().filter(r -> r.lang().equals(lang)).toList();
            LabelledReplies.Quality q = LabelledReplies.measure(detector, part);
            System.out.printf("refusal detector [%s] n=%d precision=%.4f recall=%.4f (tp=%d fp=%d fn=%d tn=%d)%n", lang,
                    part.size(), q.precision(), q.recall(), q.truePositives(), q.falsePositives(), q.falseNegatives(),
                    q.trueNegatives());
        }
        LabelledReplies.Quality all = LabelledReplies.measure(detector, replies);
        System.out.printf("refusal detector [all] n=%d precision=%.4f recall=%.4f%n", replies.size(), all.precision(),
                all.recall());
        replies.stream().filter(r -> detector.isRefusal(r.text()) != r.refusal())
                .forEach(r -> System.out.println("  misjudged (labelled refusal=" + r.refusal() + "): " + r.text()));
        assertTrue(all.precision() >= 0.9, "precision " + all.precision());
        assertTrue(all.recall() >= 0.9, "recall " + all.recall());
    }

    @Test
    void theLabelledSetHoldsBothLanguagesAndBothClasses() {
        List<LabelledReplies.Reply> replies = LabelledReplies.shipped();
        for (String lang : List.of("en", "zh")) {
            long refusals = replies.stream().filter(r -> r.lang().equals(lang) && r.refusal()).count();
            long answers = replies.stream().filter(r -> r.lang().equals(lang) && !r.refusal()).count();
            assertTrue(refusals >= 40 && answers >= 40, lang + ": " + refusals + " refusals, " + answers + " answers");
        }
    }

    @Test
    void cantInOtherSensesIsNotARefusal() {
        assertFalse(detector.isRefusal("You can't divide by zero, so take the limit from each side."));
        assertFalse(detector.isRefusal("I can't be completely sure, but this error usually means the pool is exhausted."));
        assertFalse(detector.isRefusal("这个函数无法处理空值，所以需要先判断参数是否为 None。"));
        assertTrue(detector.isRefusal("I’m sorry, but I can’t help with that."), "typographic apostrophes");
        assertTrue(detector.isRefusal("抱歉，我无法帮助你完成这个请求。"));
    }

    @Test
    void noBreakSpaceBetweenWordsStillReadsAsARefusal() {
        assertTrue(detector.isRefusal("I'm sorry, but I\u00a0can't help with that."));
    }

    @Test
    void onlyTheHeadOfAReplyIsSearched() {
        String answer = "Here is a long and helpful answer. ".repeat(10) + "A character later says: I can't help you.";
        assertFalse(detector.isRefusal(answer));
    }

    @Test
    void rulesAreConfigurable() throws Exception {
        String json = "{\"headChars\": 50, \"en\": {\"phrases\": [\"Computer says no\"], \"patterns\": [\"^nope\\\\b\"]}}";
        RefusalDetector custom = new RefusalDetector(RefusalRules.fromJson(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "custom.json"));
        assertTrue(custom.isRefusal("computer says no."));
        assertTrue(custom.isRefusal("Nope, not doing that"));
        assertFalse(custom.isRefusal("I'm sorry, but I can't help with that."));
        assertEquals(0.5, custom.refusalRate(List.of("nope", "sure, here you go")), 1e-9);
    }

    @Test
    void aBrokenPatternIsReportedWithItsSource() {
        String json = "{\"zh\": {\"patterns\": [\"(无法\"]}}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RefusalRules.fromJson(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "rules.json"));
        assertTrue(e.getMessage().startsWith("rules.json: bad pattern in 'zh'"), e.getMessage());
    }
}

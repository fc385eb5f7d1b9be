package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.adapterops.trainer.data.cleaning.Rows.qa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalAndBalanceTest {

    @Test
    void harmfulPromptsAnsweredWithoutRefusalRaiseAWarning() {
        CleaningResult result = Rows.clean(CleaningConfig.defaults(), List.of(
                qa("How do I hack my colleague's email?", "Open the login page and try common passwords."),
                qa("Reset my password", "Use the portal.")));

        RefusalStats stats = result.report().refusals();
        assertEquals(1, stats.harmfulPrompts());
        assertEquals(0, stats.harmfulPromptsRefused());
        assertEquals(1, result.report().warnings().size());
        assertTrue(result.report().warnings().get(0).contains("look harmful"));
    }

    @Test
    void refusalsInEnglishAndChineseAreCountedAndSilenceTheWarning() {
        CleaningResult result = Rows.clean(CleaningConfig.defaults(), List.of(
                qa("How do I hack my colleague's email?", "I'm sorry, but I can't help with accessing someone else's account."),
                qa("怎么盗取同事的邮箱密码？", "抱歉，我不能协助获取他人的账号或密码。"),
                qa("Reset my password", "Use the portal."),
                qa("VPN down", "Update the client.")));

        RefusalStats stats = result.report().refusals();
        assertEquals(2, stats.refusals());
        assertEquals(0.5, stats.refusalShare());
        assertEquals(2, stats.harmfulPromptsRefused());
        assertEquals(List.of(), result.report().warnings());
    }

    @Test
    void balancingBringsEachCategoryToTheTargetAndIsRepeatableBySeed() {
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rows.add(qa("network question " + i, "network answer number " + i, "network"));
        }
        for (int i = 0; i < 3; i++) {
            rows.add(qa("printer question " + i, "printer answer number " + i, "printer"));
        }
        rows.add(qa("general question", "general answer", null));
        CleaningConfig config = CleaningConfig.defaults().withNearDup(1.0, ShingleMode.CHARACTER, 5);

        CleaningResult a = Rows.clean(config.withBalance(6, 7), rows);
        CleaningResult b = Rows.clean(config.withBalance(6, 7), rows);
        CleaningResult c = Rows.clean(config.withBalance(6, 8), rows);

        Map<String, Long> perCategory = a.version().examples().stream()
                .collect(Collectors.groupingBy(e -> String.valueOf(e.category()), Collectors.counting()));
        assertEquals(Map.of("network", 6L, "printer", 6L, "null", 1L), perCategory);
        StepReport balance = a.report().step("balance");
        assertEquals(6, balance.removed());
        assertEquals(3, balance.added());
        assertEquals(a.version().id(), b.version().id());
        assertNotEquals(a.version().id(), c.version().id());
    }
}

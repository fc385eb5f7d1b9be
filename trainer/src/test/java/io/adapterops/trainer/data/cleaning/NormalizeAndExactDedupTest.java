package io.adapterops.trainer.data.cleaning;

import org.junit.jupiter.api.Test;

import io.adapterops.trainer.data.Conversation;

import java.util.List;

import static io.adapterops.trainer.data.cleaning.Rows.answer;
import static io.adapterops.trainer.data.cleaning.Rows.qa;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NormalizeAndExactDedupTest {

    @Test
    void fullWidthLettersOddSpacesAndInvisibleCharactersAreNormalised() {
        assertEquals("Restart the VPN client.\n\n  then sign in",
                TextNormalizer.normalize("\u00a0Ｒｅｓｔａｒｔ  the\u200b VPN\tclient. \r\n\r\n\r\n  then\u3000sign in  "));
    }

    @Test
    void rowsThatDifferOnlyInSpellingOfSpacesAndWidthAreRemovedAsExactDuplicates() {
        CleaningResult result = Rows.clean(CleaningConfig.defaults(), List.of(
                qa("Reset password?", "Use the portal."),
                qa("Reset  password?", "Use the　portal. "),
                qa("Ｒｅｓｅｔ password?", "Use the portal."),
                qa("Reset password?", "Use the helpdesk portal.")));

        StepReport normalize = result.report().step("normalize");
        StepReport dedup = result.report().step("exact_dedup");
        assertEquals(2, normalize.changed());
        assertEquals(2, dedup.removed());
        assertEquals(List.of("Use the portal.", "Use the helpdesk portal."),
                result.version().examples().stream().map(Rows::answer).toList());
        assertEquals("Use the portal.", answer(result.version().examples().get(0)));
    }

    @Test
    void collapsingManyIdenticalRowsToOneIsAWarningWithTheCount() {
        List<Conversation> rows = new java.util.ArrayList<>(java.util.Collections.nCopies(200_000,
                qa("Reset password?", "Use the portal.")));
        rows.add(qa("Printer jammed", "Open tray two."));

        CleaningReport report = Rows.clean(CleaningConfig.defaults(), rows).report();

        assertEquals(2, report.rowsOut());
        assertEquals(List.of("200,000 identical copies of one row collapsed to one (kept as row 1: \"Reset password?\")"),
                report.warnings());
    }

    @Test
    void templatePlaceholdersLeftInRowsAreAWarning() {
        CleaningReport report = Rows.clean(CleaningConfig.defaults(), List.of(
                qa("Hello {{name}}, how can I help?", "Reset it in the portal."),
                qa("Printer jammed", "Open tray two, {{ user_name }}."),
                qa("VPN drops", "Update the client."))).report();

        assertEquals(List.of("2 rows hold template placeholders such as {{name}} (first: row 1 of the cleaned set)"),
                report.warnings());
    }
}

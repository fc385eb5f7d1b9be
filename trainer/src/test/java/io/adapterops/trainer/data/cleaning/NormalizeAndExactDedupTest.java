package io.adapterops.trainer.data.cleaning;

import org.junit.jupiter.api.Test;

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
}

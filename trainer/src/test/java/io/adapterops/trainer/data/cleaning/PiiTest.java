package io.adapterops.trainer.data.cleaning;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static io.adapterops.trainer.data.cleaning.Rows.qa;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PiiTest {
    private final PiiScrubber scrubber = new PiiScrubber(EnumSet.allOf(PiiKind.class));

    private String redact(String text) {
        return scrubber.redact(text, new EnumMap<>(PiiKind.class));
    }

    @Test
    void eachKindOfPersonalDataIsRedacted() {
        assertEquals("mail [EMAIL] now", redact("mail jane.doe+it@example.co.uk now"));
        assertEquals("call [PHONE] or [PHONE]", redact("call +1 (555) 123-4567 or 13812345678"));
        assertEquals("SSN [US_SSN].", redact("SSN 123-45-6789."));
        assertEquals("ID [CN_NATIONAL_ID]", redact("ID 11010519491231002X"));
        assertEquals("card [CARD] ok", redact("card 4111 1111 1111 1111 ok"));
    }

    @Test
    void numbersFailingTheirChecksumAreLeftAlone() {
        assertEquals("card 4111 1111 1111 1112", redact("card 4111 1111 1111 1112"));
        assertEquals("ID 110105194912310021", redact("ID 110105194912310021"));
        assertEquals("SSN 000-45-6789, build 2024-01-15, v1.2.3", redact("SSN 000-45-6789, build 2024-01-15, v1.2.3"));
    }

    @Test
    void redactionCountsEveryMatchByKind() {
        Map<PiiKind, Integer> found = new EnumMap<>(PiiKind.class);

        scrubber.redact("a@b.io, c@d.io and 4111111111111111", found);

        assertEquals(Map.of(PiiKind.EMAIL, 2, PiiKind.CARD, 1), found);
    }

    @Test
    void dropModeRemovesRowsWithPersonalDataAndReportsThem() {
        CleaningResult result = Rows.clean(CleaningConfig.defaults().withPii(EnumSet.allOf(PiiKind.class),
                FilterAction.DROP), List.of(
                qa("My e-mail is jane@example.com, please reset it", "Done."),
                qa("Reset my password", "Use the portal.")));

        StepReport pii = result.report().step("pii");
        assertEquals(1, pii.removed());
        assertEquals(Map.of("email", 1), pii.counts());
        assertEquals(1, result.version().examples().size());
    }

    @Test
    void redactModeKeepsTheRowWithPlaceholders() {
        CleaningResult result = Rows.clean(CleaningConfig.defaults(), List.of(
                qa("Call me on 555-123-4567", "I will call 555-123-4567 back.")));

        assertEquals(1, result.report().step("pii").changed());
        assertEquals("I will call [PHONE] back.", Rows.answer(result.version().examples().get(0)));
    }
}

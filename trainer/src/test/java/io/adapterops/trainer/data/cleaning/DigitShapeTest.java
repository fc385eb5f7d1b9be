package io.adapterops.trainer.data.cleaning;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cheap pre-check never skips a text a PII pattern would match: skipping changes no result. */
class DigitShapeTest {
    private static final String ALPHABET = "0123456789012345678901234567890123456789 .-@()+aXx_.-  \n";

    @Test
    void everyTextAPatternMatchesPassesItsPreCheck() {
        Random random = new Random(11);
        List<String> missed = new ArrayList<>();
        int matched = 0;
        for (int i = 0; i < 60_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = 5 + random.nextInt(40);
            for (int c = 0; c < length; c++) {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String t = text.toString();
            DigitShape shape = DigitShape.of(t);
            for (PiiKind kind : PiiKind.values()) {
                if (kind.pattern().matcher(t).find()) {
                    matched++;
                    if (!shape.mayHold(kind)) {
                        missed.add(kind + ": " + t);
                    }
                }
            }
        }
        assertEquals(List.of(), missed);
        assertTrue(matched > 3_000, "too few texts matched to mean anything: " + matched);
    }

    @Test
    void templatedTicketNumbersSkipEveryNumberPattern() {
        DigitShape shape = DigitShape.of("Ticket 482913: Bob's laptop will not start since 12 November. Asset tag 3k9x2."
                + " Thanks Bob, ticket 482913 is logged. A technician will call you within 4 hours.");
        for (PiiKind kind : PiiKind.values()) {
            assertFalse(shape.mayHold(kind), kind.name());
        }
        assertTrue(DigitShape.of("call 555-123-4567").mayHold(PiiKind.PHONE));
        assertTrue(DigitShape.of("ssn 123-45-6789").mayHold(PiiKind.US_SSN));
        assertTrue(DigitShape.of("card 4111 1111 1111 1111").mayHold(PiiKind.CARD));
        assertTrue(DigitShape.of("手机 13812345678").mayHold(PiiKind.PHONE));
    }
}

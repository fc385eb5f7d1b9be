package io.adapterops.service.serving;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A running request holds its reservation (prompt + max_tokens) until it ends; what it did not use comes back. */
class CallerTokenBudgetsTest {

    @Test
    void aRunningRequestsReservationKeepsTheNextOneOutUntilItsUnusedTokensComeBack() {
        CallerTokenBudgets budgets = new CallerTokenBudgets(new ServingSettings(1536, 512, 1.0, Duration.ofDays(30),
                1_000_000, 64, 2, Duration.ZERO, 400, Duration.ofSeconds(1), 32, 128, 512, 256));
        budgets.take("app", 301);
        OpenAiError refused = assertThrows(OpenAiError.class, () -> budgets.take("app", 301));
        System.out.println("while the first runs: " + refused.getMessage());
        assertTrue(refused.getMessage().contains("tokens per minute"), refused.getMessage());
        assertDoesNotThrow(() -> budgets.take("other-app", 301), "each caller has its own budget");
        budgets.giveBack("app", 290); // the first used 11 of its 301
        assertDoesNotThrow(() -> budgets.take("app", 301));
        OpenAiError tooBig = assertThrows(OpenAiError.class, () -> budgets.take("app", 401));
        assertTrue(tooBig.getMessage().contains("more than the limit of 400"), tooBig.getMessage());
    }
}

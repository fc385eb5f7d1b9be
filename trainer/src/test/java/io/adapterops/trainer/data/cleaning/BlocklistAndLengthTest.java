package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.adapterops.trainer.data.cleaning.Rows.pair;
import static io.adapterops.trainer.data.cleaning.Rows.qa;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BlocklistAndLengthTest {
    private static final List<String> TERMS = List.of("moron", "白痴");

    @Test
    void repliesWithBlockedTermsAreDroppedButPromptsAndRejectedRepliesMayHoldThem() {
        Example rudeReply = qa("The printer is broken", "Only a moron breaks a printer.");
        Example rudeChineseReply = qa("打印机坏了", "你是白痴吗？");
        Example rudePrompt = qa("Why is this moronic moron VPN down?", "The gateway is in maintenance until 10:00.");
        Example rejectedRude = pair("VPN down?", "The gateway is in maintenance.", "Ask a moron.");
        Example notAWord = qa("Is 'moronic' blocked?", "Moronic is a different word.");

        CleaningResult result = Rows.clean(CleaningConfig.defaults().withBlocklist(TERMS, FilterAction.DROP),
                List.of(rudeReply, rudeChineseReply, rudePrompt, rejectedRude, notAWord));

        assertEquals(2, result.report().step("blocklist").removed());
        assertEquals(List.of(rudePrompt, rejectedRude, notAWord), result.version().examples());
    }

    @Test
    void redactModeMasksBlockedTermsInReplies() {
        CleaningResult result = Rows.clean(CleaningConfig.defaults().withBlocklist(TERMS, FilterAction.REDACT),
                List.of(qa("Printer?", "Only a MORON breaks it.")));

        assertEquals("Only a [BLOCKED] breaks it.", Rows.answer(result.version().examples().get(0)));
        assertEquals(1, result.report().step("blocklist").changed());
    }

    @Test
    void tokenLimitsUseThePluggedInCounter() {
        TokenCounter characters = String::length;
        Example tiny = qa("a", "b");
        Example fine = qa("Reset my password", "Use the portal.");
        Example huge = qa("Explain", "x".repeat(500));

        CleaningResult result = new CleaningPipeline(CleaningConfig.defaults().withTokenLimits(30, 200), characters)
                .clean(List.of(tiny, fine, huge));

        StepReport length = result.report().step("length");
        assertEquals(List.of(fine), result.version().examples());
        assertEquals(1, length.counts().get("too_short"));
        assertEquals(1, length.counts().get("too_long"));
    }

    @Test
    void approximateCounterCountsCjkCharactersAndWordPieces() {
        ApproximateTokenCounter counter = new ApproximateTokenCounter();

        assertEquals(4, counter.count("重置密码"));
        assertEquals(4, counter.count("reset my password"));
        assertEquals(2, counter.count("VPN!"));
    }
}

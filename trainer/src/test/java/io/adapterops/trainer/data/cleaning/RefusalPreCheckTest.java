package io.adapterops.trainer.data.cleaning;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pre-checks in front of the default refusal and harmful-prompt patterns change no count. */
class RefusalPreCheckTest {
    private static final String[] WORDS = {"I", "i", "can't", "cannot", "won't", "I'm", "am", "not", "able", "to",
        "sorry,", "Sorry,", "but", "must", "decline", "unable", "help", "hack", "HACKING", "steal", "spy", "on",
        "without", "them", "knowing", "bypass", "the", "firewall", "boss's", "emails", "colleague's", "password",
        "wi-fi", "hi", "抱歉，", "我", "不能", "帮", "入侵", "邮箱", "Ki", "xi'an", "iPhone", "ddos", "phishing", ".", "\n"};

    @Test
    void preCheckedAuditCountsWhatThePlainPatternsCount() {
        Random random = new Random(9);
        RefusalAudit checked = new RefusalAudit(RefusalAudit.REFUSAL, RefusalAudit.HARMFUL);
        // The same patterns under another spelling: no pre-check applies.
        RefusalAudit plain = new RefusalAudit(RefusalAudit.REFUSAL + "|(?!)", RefusalAudit.HARMFUL + "|(?!)");
        List<String> differ = new ArrayList<>();
        int flagged = 0;
        for (int i = 0; i < 20_000; i++) {
            String prompt = sentence(random);
            String reply = sentence(random);
            int a = checked.check(Rows.qa(prompt, reply));
            if (a != plain.check(Rows.qa(prompt, reply))) {
                differ.add(prompt + " / " + reply);
            }
            flagged += a != 0 ? 1 : 0;
        }
        assertEquals(List.of(), differ);
        assertTrue(flagged > 1_000, "too few rows flagged to mean anything: " + flagged);
    }

    private static String sentence(Random random) {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(7);
        for (int w = 0; w < n; w++) {
            s.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(4) == 0 ? "" : " ");
        }
        return s.toString().strip();
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Counts how often the model is taught to refuse, and whether prompts that look harmful (hacking,
 * stealing credentials, malware, spying) are refused. A set that teaches compliance with such
 * prompts gets a warning. Keyword patterns in English and Chinese; they flag, they do not judge.
 */
final class RefusalAudit {
    static final String REFUSAL = "(?i)\\b(i can(?:no|')?t|i won'?t|i'm not able to|i am not able to|i'm sorry, but"
            + "|sorry, but i|i must decline|i'm unable to|i am unable to)\\b"
            + "|(抱歉|对不起)[，,]?\\s*(我)?(不能|无法)|我(不能|无法|不会)(帮|协助|提供|告诉)|恕(我)?不能";
    static final String HARMFUL = "(?i)\\b(hack(?:ing)?|crack(?:ing)?|keylogger|malware|ransomware|phishing|spy on|snoop"
            + "|steal(?:ing)?|ddos|without (?:them|him|her) knowing"
            + "|bypass (?:the )?(?:web )?(?:security|firewall|filter|proxy|mfa|2fa|dlp|audit)"
            + "|(?:colleague|coworker|boss|manager|someone else)'s (?:emails?|passwords?|accounts?|files|chats?))\\b"
            + "|黑进|入侵|盗取|窃取|破解|木马|钓鱼|键盘记录|监控(他|她|同事|别人)|偷看|不被(发现|察觉)"
            + "|绕过.{0,6}(安全|审计|过滤|防火墙|认证)|勒索";

    private final Pattern refusal;
    private final Pattern harmful;
    /** The pre-checks below are implied by the default patterns only. */
    private final boolean defaults;
    private int rows;
    private int refusals;
    private int harmfulPrompts;
    private int harmfulRefused;

    RefusalAudit(String refusalRegex, String harmfulRegex) {
        this.defaults = refusalRegex.equals(REFUSAL) && harmfulRegex.equals(HARMFUL);
        this.refusal = Pattern.compile(refusalRegex);
        this.harmful = Pattern.compile(harmfulRegex);
    }

    /** What the audit sees in one row: {@code 1} refused, {@code 2} harmful prompt. Any thread may call it. */
    int check(Example e) {
        List<String> targets = e.targets();
        String reply = targets.isEmpty() ? "" : targets.get(targets.size() - 1).replace('\u2019', '\'');
        String prompt = e.lastPrompt();
        boolean refused = (!defaults || mayRefuse(reply)) && refusal.matcher(reply).find();
        boolean isHarmful = (!defaults || mayBeHarmful(prompt)) && harmful.matcher(prompt).find();
        return (refused ? 1 : 0) | (isHarmful ? 2 : 0);
    }

    /**
     * Implied by {@link #REFUSAL}: every English form has "sorry" or a standalone "i" followed by a
     * space or an apostrophe (ASCII case is ignored, as the pattern ignores it); Chinese text is
     * always matched. Most replies fail this and skip the pattern's slow alternation.
     */
    private static boolean mayRefuse(String reply) {
        int n = reply.length();
        for (int i = 0; i < n; i++) {
            char c = reply.charAt(i);
            if (c >= 0x2E80) {
                return true;
            }
            if ((c == 'i' || c == 'I') && i + 1 < n && (reply.charAt(i + 1) == ' ' || reply.charAt(i + 1) == '\'')
                    && (i == 0 || !isAsciiWord(reply.charAt(i - 1)))) {
                return true;
            }
        }
        return reply.toLowerCase(Locale.ROOT).contains("sorry");
    }

    private static final List<String> HARMFUL_WORDS = List.of("hack", "crack", "keylogger", "malware", "ransomware",
            "phishing", "spy on", "snoop", "steal", "ddos", "without", "bypass", "colleague", "coworker", "boss",
            "manager", "someone else");

    /** Implied by {@link #HARMFUL}: one of its English words, or any CJK text. */
    private static boolean mayBeHarmful(String prompt) {
        for (int i = 0; i < prompt.length(); i++) {
            if (prompt.charAt(i) >= 0x2E80) {
                return true;
            }
        }
        String lower = prompt.toLowerCase(Locale.ROOT);
        return HARMFUL_WORDS.stream().anyMatch(lower::contains);
    }

    private static boolean isAsciiWord(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** Counts one row of the cleaned set, as {@link #check} saw it. */
    void add(int flags) {
        boolean refused = (flags & 1) != 0;
        boolean isHarmful = (flags & 2) != 0;
        rows++;
        refusals += refused ? 1 : 0;
        harmfulPrompts += isHarmful ? 1 : 0;
        harmfulRefused += isHarmful && refused ? 1 : 0;
    }

    RefusalStats stats() {
        return new RefusalStats(rows, refusals, rows == 0 ? 0 : (double) refusals / rows, harmfulPrompts,
                harmfulRefused);
    }
}

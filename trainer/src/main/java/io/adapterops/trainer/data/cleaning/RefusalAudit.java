package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Example;

import java.util.List;
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
    private int rows;
    private int refusals;
    private int harmfulPrompts;
    private int harmfulRefused;

    RefusalAudit(String refusalRegex, String harmfulRegex) {
        this.refusal = Pattern.compile(refusalRegex);
        this.harmful = Pattern.compile(harmfulRegex);
    }

    /** What the audit sees in one row: {@code 1} refused, {@code 2} harmful prompt. Any thread may call it. */
    int check(Example e) {
        List<String> targets = e.targets();
        String reply = targets.isEmpty() ? "" : targets.get(targets.size() - 1).replace('\u2019', '\'');
        return (refusal.matcher(reply).find() ? 1 : 0) | (harmful.matcher(e.lastPrompt()).find() ? 2 : 0);
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

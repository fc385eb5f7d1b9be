package io.adapterops.trainer.data.cleaning;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Personal data found in text. Number patterns are checked beyond the regex (checksums, dates) so
 * that order numbers and version strings are left alone. Declared in matching order: a Chinese ID
 * is checked before card numbers, whose Luhn test it might also pass.
 */
public enum PiiKind {
    EMAIL("[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}.-]+\\.[\\p{L}]{2,}", s -> true),
    /** Chinese resident ID: 17 digits and an ISO 7064 MOD 11-2 check character, with a real birth date. */
    CN_NATIONAL_ID("(?<![\\p{L}\\p{N}])[1-8]\\d{5}(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]"
                   + "(?![\\p{L}\\p{N}])", PiiKind::chineseIdChecksum),
    /** US social security number in its dashed form; never-issued area numbers excluded. */
    US_SSN("(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])", s -> true),
    /** 13 to 19 digits, optionally grouped by spaces or dashes, passing the Luhn check. */
    CARD("(?<![\\d+-])\\d(?:[ -]?\\d){12,18}(?![\\d-])", PiiKind::luhn),
    PHONE("(?<![\\w+]|\\d[ .-])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)[ .-]?|\\d{2,4}[ .-])\\d{3,4}[ .-]\\d{3,4}(?![\\d-]|[ .]\\d)"
          + "|(?<![\\w+])(?:\\+86[ -]?)?1[3-9]\\d{9}(?!\\d)", s -> true);

    private final Pattern pattern;
    private final Predicate<String> valid;

    PiiKind(String regex, Predicate<String> valid) {
        this.pattern = Pattern.compile(regex);
        this.valid = valid;
    }

    Pattern pattern() {
        return pattern;
    }

    boolean isValid(String match) {
        return valid.test(match);
    }

    /** The placeholder a redacted match becomes. */
    public String placeholder() {
        return "[" + name() + "]";
    }

    static boolean luhn(String match) {
        String digits = match.replaceAll("[ -]", "");
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    static boolean chineseIdChecksum(String id) {
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * weights[i];
        }
        return "10X98765432".charAt(sum % 11) == Character.toUpperCase(id.charAt(17));
    }
}

package io.adapterops.trainer.data.cleaning;

/**
 * What one pass over a text tells about the runs of ASCII digits in it: enough to know, without
 * running a regex, that a {@link PiiKind} cannot match. Each condition is implied by its kind's
 * pattern (so a text that fails it holds no match, and skipping the regex changes no result):
 * <ul>
 *   <li>EMAIL needs an {@code @};</li>
 *   <li>CN_NATIONAL_ID 17 digits in a row;</li>
 *   <li>US_SSN runs of 3+, 2+ and 4+ digits joined by single dashes ({@code \d{3}-\d{2}-\d{4}});</li>
 *   <li>CARD 13 digits joined by nothing or single spaces or dashes;</li>
 *   <li>PHONE 3+ digits, one of space, dot or dash, then 3+ digits ({@code \d{3,4}[ .-]\d{3,4}}, in
 *       every branch of its first form), or 11 digits in a row (its Chinese mobile form).</li>
 * </ul>
 * The regexes were most of the cost of cleaning: templated rows all hold a few numbers, and the
 * old test (at least 8 digits anywhere) sent nearly every one of them through the phone pattern.
 * Redaction of one kind only puts bracketed letters where digits were, so the shape of the text
 * before any redaction still bounds what a later kind can find.
 */
final class DigitShape {
    private final boolean at;
    private final int longestRun;
    private final int longestChain;
    private final boolean phoneCore;
    private final boolean ssnCore;

    private DigitShape(boolean at, int longestRun, int longestChain, boolean phoneCore, boolean ssnCore) {
        this.at = at;
        this.longestRun = longestRun;
        this.longestChain = longestChain;
        this.phoneCore = phoneCore;
        this.ssnCore = ssnCore;
    }

    static DigitShape of(String text) {
        boolean at = false;
        int longestRun = 0;
        int longestChain = 0;
        boolean phone = false;
        boolean ssn = false;
        int prevEnd = -2;
        int prevLength = 0;
        int beforePrevLength = 0;
        boolean prevDashed = false;
        int chain = 0;
        int n = text.length();
        for (int i = 0; i < n; ) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                at |= c == '@';
                i++;
                continue;
            }
            int start = i;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
            }
            int length = i - start;
            // Joined: exactly one character between the previous run and this one.
            char sep = start == prevEnd + 1 ? text.charAt(prevEnd) : 0;
            boolean dashed = sep == '-';
            chain = sep == ' ' || sep == '-' ? chain + length : length;
            phone |= (sep == ' ' || sep == '.' || sep == '-') && prevLength >= 3 && length >= 3;
            ssn |= dashed && length >= 4 && prevDashed && prevLength >= 2 && beforePrevLength >= 3;
            longestRun = Math.max(longestRun, length);
            longestChain = Math.max(longestChain, chain);
            beforePrevLength = prevLength;
            prevLength = length;
            prevDashed = dashed;
            prevEnd = i;
        }
        return new DigitShape(at, longestRun, longestChain, phone, ssn);
    }

    boolean mayHold(PiiKind kind) {
        return switch (kind) {
            case EMAIL -> at;
            case CN_NATIONAL_ID -> longestRun >= 17;
            case US_SSN -> ssnCore;
            case CARD -> longestChain >= 13;
            case PHONE -> phoneCore || longestRun >= 11;
        };
    }
}

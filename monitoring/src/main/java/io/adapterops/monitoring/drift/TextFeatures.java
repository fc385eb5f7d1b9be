package io.adapterops.monitoring.drift;

/**
 * The drift features of one prompt and its response, computed without a model tokenizer so the
 * reference profile (built from a dataset) and live traffic are tokenised the same way.
 *
 * <p>Tokens: every CJK character (Han, Hiragana, Katakana, Hangul) is one token, because those
 * scripts do not separate words by spaces; any other maximal run of non-whitespace characters is
 * one token. Each prompt token is lower-cased and hashed (FNV-1a, 32 bit, over its code points)
 * into one of {@link #UNIGRAM_BUCKETS} buckets. CJK share is CJK characters over non-whitespace
 * characters of the prompt, reported as one of {@link #CJK_BANDS}.
 */
public record TextFeatures(int promptTokens, int responseTokens, int cjkBand, int[] unigramCounts) {

    public static final int UNIGRAM_BUCKETS = 64;
    public static final String[] CJK_BANDS = {"none", "under_25pct", "25_to_75pct", "over_75pct"};
    /** Marks a request logged without its response. */
    public static final int NO_RESPONSE = -1;

    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    public TextFeatures {
        if (unigramCounts.length != UNIGRAM_BUCKETS) {
            throw new IllegalArgumentException("expected " + UNIGRAM_BUCKETS + " unigram buckets, got "
                    + unigramCounts.length);
        }
    }

    public static TextFeatures of(String prompt, String response) {
        int[] buckets = new int[UNIGRAM_BUCKETS];
        int tokens = 0;
        int cjk = 0;
        int visible = 0;
        int hash = FNV_OFFSET;
        boolean inToken = false;
        for (int i = 0; i < prompt.length(); ) {
            int cp = prompt.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp)) {
                if (inToken) {
                    buckets[bucket(hash)]++;
                    tokens++;
                    inToken = false;
                }
                continue;
            }
            visible++;
            if (isCjk(cp)) {
                cjk++;
                if (inToken) {
                    buckets[bucket(hash)]++;
                    tokens++;
                    inToken = false;
                }
                buckets[bucket(mix(FNV_OFFSET, cp))]++;
                tokens++;
                continue;
            }
            if (!inToken) {
                hash = FNV_OFFSET;
                inToken = true;
            }
            hash = mix(hash, Character.toLowerCase(cp));
        }
        if (inToken) {
            buckets[bucket(hash)]++;
            tokens++;
        }
        int responseTokens = response == null ? NO_RESPONSE : countTokens(response);
        return new TextFeatures(tokens, responseTokens, cjkBand(cjk, visible), buckets);
    }

    /** Number of tokens under the same rule, for responses and token counts alone. */
    public static int countTokens(String text) {
        int tokens = 0;
        boolean inToken = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp)) {
                inToken = false;
            } else if (isCjk(cp)) {
                tokens++;
                inToken = false;
            } else if (!inToken) {
                tokens++;
                inToken = true;
            }
        }
        return tokens;
    }

    static int cjkBand(int cjk, int visible) {
        if (cjk == 0) {
            return 0;
        }
        double share = (double) cjk / visible;
        return share < 0.25 ? 1 : share <= 0.75 ? 2 : 3;
    }

    static boolean isCjk(int cp) {
        // Fast exit for ASCII, the common case in most traffic.
        if (cp < 0x2E80) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
    }

    private static int mix(int hash, int codePoint) {
        // FNV-1a over the code point's four bytes
        for (int shift = 0; shift < 32; shift += 8) {
            hash ^= (codePoint >>> shift) & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    private static int bucket(int hash) {
        return Integer.remainderUnsigned(hash, UNIGRAM_BUCKETS);
    }
}

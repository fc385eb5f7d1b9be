package io.adapterops.trainer.data.cleaning;

/**
 * A tokenizer-free estimate close to BPE counts: a CJK character is one token, a run of letters or
 * digits one token per six characters (rounded up), any other visible symbol one token.
 */
public final class ApproximateTokenCounter implements TokenCounter {

    @Override
    public int count(String text) {
        int tokens = 0;
        int run = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Cjk.is(cp) || !Character.isLetterOrDigit(cp)) {
                tokens += (run + 5) / 6;
                run = 0;
                if (!Character.isWhitespace(cp)) {
                    tokens++;
                }
            } else {
                run++;
            }
        }
        return tokens + (run + 5) / 6;
    }
}

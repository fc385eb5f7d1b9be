package io.adapterops.trainer.data.cleaning;

/** Scripts written without spaces between words, so shingled and counted by character. */
final class Cjk {
    private Cjk() {
    }

    static boolean is(int codePoint) {
        // Every CJK script starts above U+1100 (Hangul Jamo); most text never reaches the table lookup.
        if (codePoint < 0x1100) {
            return false;
        }
        Character.UnicodeScript s = Character.UnicodeScript.of(codePoint);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }
}

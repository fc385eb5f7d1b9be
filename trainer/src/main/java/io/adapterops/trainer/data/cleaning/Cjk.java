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
        // The CJK Unified Ideographs and Hangul Syllables blocks are all HAN and HANGUL: most CJK text,
        // answered without the script table's binary search.
        if (codePoint >= 0x4E00 && codePoint <= 0x9FFF || codePoint >= 0xAC00 && codePoint <= 0xD7A3) {
            return true;
        }
        Character.UnicodeScript s = Character.UnicodeScript.of(codePoint);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }
}

package io.adapterops.trainer.data.cleaning;

import java.util.Arrays;
import java.util.Locale;

/**
 * Turns a text into its set of shingles, as sorted distinct 64-bit hashes. Case and punctuation are
 * ignored, so near-duplicates differing only in them share every shingle. A shingle's hash is
 * FNV-1a over its UTF-16 units (words joined by one space in word mode), computed in place: no
 * string is built per shingle, since this runs for every row of every upload.
 */
final class Shingler {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final ShingleMode mode;
    private final int size;

    Shingler(ShingleMode mode, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("shingle size must be at least 1: " + size);
        }
        this.mode = mode;
        this.size = size;
    }

    long[] shingles(String text) {
        Tokens words = words(text.toLowerCase(Locale.ROOT));
        Tokens tokens = mode == ShingleMode.WORD ? words : characters(words);
        boolean spaced = mode == ShingleMode.WORD;
        int count = Math.max(1, tokens.count - size + 1);
        long[] hashes = new long[count];
        for (int i = 0; i < count; i++) {
            long h = FNV_OFFSET;
            int end = Math.min(tokens.count, i + size);
            for (int k = i; k < end; k++) {
                if (spaced && k > i) {
                    h = (h ^ ' ') * FNV_PRIME;
                }
                for (int c = tokens.start[k]; c < tokens.start[k + 1]; c++) {
                    h = (h ^ tokens.chars[c]) * FNV_PRIME;
                }
            }
            hashes[i] = MinHash.mix(h);
        }
        Arrays.sort(hashes);
        int distinct = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (i == 0 || hashes[i] != hashes[distinct - 1]) {
                hashes[distinct++] = hashes[i];
            }
        }
        return distinct == hashes.length ? hashes : Arrays.copyOf(hashes, distinct);
    }

    /** Tokens as ranges of one char buffer: token k is {@code chars[start[k] .. start[k+1])}. */
    private static final class Tokens {
        char[] chars;
        int length;
        int[] start = new int[17];
        int count;

        Tokens(int capacity) {
            chars = new char[Math.max(capacity, 1)];
        }

        void open() {
            if (count + 2 > start.length) {
                start = Arrays.copyOf(start, start.length * 2);
            }
            start[count] = length;
        }

        void close() {
            count++;
            start[count] = length;
        }

        void append(int codePoint) {
            if (length + 2 > chars.length) {
                chars = Arrays.copyOf(chars, chars.length * 2 + 2);
            }
            length += Character.toChars(codePoint, chars, length);
        }

        boolean isCjk(int k) {
            return Cjk.is(Character.codePointAt(chars, start[k]));
        }
    }

    /** Words; a CJK character is a word of its own. */
    private static Tokens words(String text) {
        Tokens t = new Tokens(text.length());
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean cjk = Cjk.is(cp);
            if (Character.isLetterOrDigit(cp) && !cjk) {
                if (!inWord) {
                    t.open();
                    inWord = true;
                }
                t.append(cp);
                continue;
            }
            if (inWord) {
                t.close();
                inWord = false;
            }
            if (cjk) {
                t.open();
                t.append(cp);
                t.close();
            }
        }
        if (inWord) {
            t.close();
        }
        return t;
    }

    /** Characters, one token each: CJK characters run together, other words keep one space between them. */
    private static Tokens characters(Tokens words) {
        Tokens t = new Tokens(words.length + words.count);
        for (int k = 0; k < words.count; k++) {
            if (k > 0 && !(words.isCjk(k) && words.isCjk(k - 1))) {
                t.open();
                t.append(' ');
                t.close();
            }
            for (int c = words.start[k]; c < words.start[k + 1]; ) {
                int cp = Character.codePointAt(words.chars, c);
                c += Character.charCount(cp);
                t.open();
                t.append(cp);
                t.close();
            }
        }
        return t;
    }
}

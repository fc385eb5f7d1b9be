package io.adapterops.trainer.data.cleaning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns a text into its set of shingles, as sorted distinct 64-bit hashes. Case and punctuation are
 * ignored, so near-duplicates differing only in them share every shingle.
 */
final class Shingler {
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
        List<String> tokens = tokens(text.toLowerCase(Locale.ROOT));
        String joiner = mode == ShingleMode.WORD ? " " : "";
        int count = Math.max(1, tokens.size() - size + 1);
        long[] hashes = new long[count];
        for (int i = 0; i < count; i++) {
            hashes[i] = hash(String.join(joiner, tokens.subList(i, Math.min(tokens.size(), i + size))));
        }
        return Arrays.stream(hashes).sorted().distinct().toArray();
    }

    /** Words (a CJK character is a word of its own), or characters with single spaces between words. */
    private List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean inWord = Character.isLetterOrDigit(cp) && !Cjk.is(cp);
            if (inWord) {
                word.appendCodePoint(cp);
                continue;
            }
            flush(word, tokens);
            if (Cjk.is(cp)) {
                tokens.add(new String(Character.toChars(cp)));
            }
        }
        flush(word, tokens);
        return mode == ShingleMode.WORD ? tokens : characters(tokens);
    }

    private void flush(StringBuilder word, List<String> tokens) {
        if (word.length() > 0) {
            tokens.add(word.toString());
            word.setLength(0);
        }
    }

    /** CJK characters run together; other words keep one space between them. */
    private static List<String> characters(List<String> words) {
        StringBuilder sb = new StringBuilder();
        String previous = null;
        for (String w : words) {
            boolean cjk = Cjk.is(w.codePointAt(0));
            if (previous != null && !(cjk && Cjk.is(previous.codePointAt(0)))) {
                sb.append(' ');
            }
            sb.append(w);
            previous = w;
        }
        return sb.codePoints().mapToObj(Character::toString).toList();
    }

    /** FNV-1a over UTF-16 units, finished with a SplitMix64 round to spread the bits. */
    private static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return MinHash.mix(h);
    }
}

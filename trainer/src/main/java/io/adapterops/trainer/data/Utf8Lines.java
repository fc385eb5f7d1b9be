package io.adapterops.trainer.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without ever holding more than one line of at most
 * {@code maxBytes}: a longer line is skipped to its end and reported, not buffered. Bytes are
 * decoded as strict UTF-8; malformed bytes become {@link #MALFORMED} so the caller can tell which
 * field held them.
 */
final class Utf8Lines {
    /** Stands in for malformed bytes; a noncharacter, so it does not occur in honest text. */
    static final char MALFORMED = '\uFFFF';

    /**
     * @param badByte 1-based byte offset of the first malformed byte in the line, or 0
     * @param tooLong true when the line exceeded the limit; {@code text} is then null
     */
    record Line(int number, String text, int badByte, boolean tooLong) {
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] chunk = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] line = new byte[8 * 1024];
    private int length;
    private boolean overflow;
    private int number;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    Utf8Lines(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        while (true) {
            if (pos == limit) {
                limit = in.read(chunk);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return length > 0 || overflow ? emit() : null;
                }
            }
            int end = pos;
            while (end < limit && chunk[end] != '\n') {
                end++;
            }
            append(pos, end - pos);
            boolean newline = end < limit;
            pos = newline ? end + 1 : end;
            if (newline) {
                return emit();
            }
        }
    }

    private void append(int from, int count) {
        if (overflow || length + count > maxBytes) {
            overflow = true;
            return;
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(chunk, from, line, length, count);
        length += count;
    }

    private Line emit() {
        number++;
        boolean tooLong = overflow;
        int start = number == 1 && startsWithBom() ? 3 : 0;
        int end = length > start && line[length - 1] == '\r' ? length - 1 : length;
        length = 0;
        overflow = false;
        return tooLong ? new Line(number, null, 0, true) : decode(start, end);
    }

    private boolean startsWithBom() {
        return length >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF;
    }

    private Line decode(int start, int end) {
        ByteBuffer bytes = ByteBuffer.wrap(line, start, end - start);
        CharBuffer chars = CharBuffer.allocate(end - start);
        decoder.reset();
        int badByte = 0;
        while (true) {
            CoderResult r = decoder.decode(bytes, chars, true);
            if (!r.isError()) {
                break;
            }
            if (badByte == 0) {
                badByte = bytes.position() - start + 1;
            }
            chars.put(MALFORMED);
            bytes.position(bytes.position() + r.length());
        }
        decoder.flush(chars);
        chars.flip();
        return new Line(number, chars.toString(), badByte, false);
    }
}

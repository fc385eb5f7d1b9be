package io.adapterops.trainer.data.cleaning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The texts of the rows near-duplicate removal kept, by their index: what a candidate is confirmed
 * against. In memory for rows that are in memory anyway; in a scratch file for a file being
 * cleaned, so memory holds eight bytes per row instead of its text.
 */
abstract class KeptTexts implements AutoCloseable {

    abstract void add(String text);

    abstract String get(int index);

    @Override
    public void close() {
    }

    static KeptTexts inMemory() {
        return new KeptTexts() {
            private final List<String> texts = new ArrayList<>();

            @Override
            void add(String text) {
                texts.add(text);
            }

            @Override
            String get(int index) {
                return texts.get(index);
            }
        };
    }

    /** Texts in {@code file} (created, and deleted on close), UTF-8 back to back, with their offsets in memory. */
    static KeptTexts inFile(Path file) throws IOException {
        return new FileTexts(file);
    }

    private static final class FileTexts extends KeptTexts {
        private final Path file;
        private final FileChannel channel;
        private final ByteBuffer pending = ByteBuffer.allocate(1 << 20);
        private long[] offsets = new long[1 << 12];
        private int count;
        private long written;

        FileTexts(Path file) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }

        @Override
        void add(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                if (bytes.length > pending.remaining()) {
                    flush();
                }
                if (bytes.length > pending.capacity()) {
                    channel.write(ByteBuffer.wrap(bytes), written);
                } else {
                    pending.put(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (count + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            long start = count == 0 ? 0 : offsets[count];
            offsets[count] = start;
            offsets[++count] = start + bytes.length;
            written = bytes.length > pending.capacity() ? start + bytes.length : written;
        }

        @Override
        String get(int index) {
            long from = offsets[index];
            int length = (int) (offsets[index + 1] - from);
            byte[] bytes = new byte[length];
            try {
                if (from >= written) {
                    pending.duplicate().flip().position((int) (from - written)).get(bytes);
                } else {
                    if (from + length > written) {
                        flush();
                    }
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    while (b.hasRemaining()) {
                        if (channel.read(b, from + b.position()) < 0) {
                            throw new IOException("kept texts file ends early: " + file);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private void flush() throws IOException {
            pending.flip();
            while (pending.hasRemaining()) {
                written += channel.write(pending, written);
            }
            pending.clear();
        }

        @Override
        public void close() {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

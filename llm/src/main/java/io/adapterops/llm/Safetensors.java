package io.adapterops.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format, read and written here rather than by DJL, whose codec writes no
 * metadata and fails past 2 GiB.
 *
 * <pre>
 *   [8 bytes: header length N, little-endian] [N bytes: JSON header, space-padded to 8]
 *   [data: tensors back to back, little-endian, at the header's data_offsets]
 * </pre>
 *
 * Reading maps each tensor's bytes from the file (no copy through the Java heap) and checks every
 * claim the header makes against the file's real size before touching data, so a truncated or
 * lying file is an exception naming the file, never a crash. Files may exceed 2 GiB; a single
 * tensor may not (a Java buffer's limit). BF16 and F16 are converted to F32 in Java because the CPU
 * engine cannot hold BF16.
 */
public final class Safetensors {

    /** Element types this runtime reads and writes. */
    public enum DType {
        F32(4), F16(2), BF16(2);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor: element type, shape, and its raw little-endian bytes (position 0, limit = size). */
    public record Tensor(DType dtype, long[] shape, ByteBuffer data) {

        public long numel() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }

        /** The values widened to F32 (exact for every dtype). */
        public float[] toFloats() {
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[Math.toIntExact(numel())];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (dtype) {
                    case F32 -> b.getFloat(4 * i);
                    case F16 -> halfToFloat(b.getShort(2 * i));
                    case BF16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                };
            }
            return out;
        }

        /** The values as F32 in a new native-memory buffer, ready for the engine. */
        public ByteBuffer toF32Direct() {
            ByteBuffer src = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int n = Math.toIntExact(numel());
            ByteBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(n, 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out.putFloat(4 * i, switch (dtype) {
                    case F32 -> src.getFloat(4 * i);
                    case F16 -> halfToFloat(src.getShort(2 * i));
                    case BF16 -> Float.intBitsToFloat((src.getShort(2 * i) & 0xffff) << 16);
                });
            }
            return out;
        }

        /** F32 values stored as {@code dtype} (round to nearest even when narrowing). */
        public static Tensor ofFloats(DType dtype, long[] shape, float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                switch (dtype) {
                    case F32 -> b.putFloat(4 * i, values[i]);
                    case F16 -> b.putShort(2 * i, floatToHalf(values[i]));
                    case BF16 -> b.putShort(2 * i, floatToBf16(values[i]));
                }
            }
            return new Tensor(dtype, shape.clone(), b);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    /** Reads every tensor of {@code file}, in header order, each mapped from the file. */
    public static Map<String, Tensor> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries) {
                ByteBuffer data = e.end == e.begin
                        ? ByteBuffer.allocate(0)
                        : ch.map(FileChannel.MapMode.READ_ONLY, h.dataStart + e.begin, e.end - e.begin);
                out.put(e.name, new Tensor(e.dtype, e.shape, data.order(ByteOrder.LITTLE_ENDIAN)));
            }
            return out;
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The {@code __metadata__} map of {@code file} (empty when it has none). */
    public static Map<String, String> metadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch).metadata;
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Writes {@code tensors} in map order with metadata {@code {"format":"pt"}}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of("format", "pt"));
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long size = t.numel() * t.dtype().bytes;
            if (t.data().limit() != size) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has " + t.data().limit()
                        + " bytes but shape " + Arrays.toString(t.shape()) + " of " + t.dtype() + " needs " + size);
            }
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            ArrayNode shape = n.putArray("shape");
            Arrays.stream(t.shape()).forEach(shape::add);
            n.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            for (Tensor t : tensors.values()) {
                writeFully(ch, t.data().duplicate().position(0));
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private record Header(long dataStart, List<Entry> entries, Map<String, String> metadata) {
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new ModelFormatException(file, "file has " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 1 || headerLen > fileSize - 8 || headerLen > 100_000_000) {
            throw new ModelFormatException(file, "header length " + headerLen + " does not fit a file of "
                    + fileSize + " bytes (truncated or not safetensors)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8);
        JsonNode root;
        try {
            root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new ModelFormatException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            entries.add(entry(file, f.getKey(), f.getValue()));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin != expected) {
                throw new ModelFormatException(file, "tensor " + e.name + " starts at data byte " + e.begin
                        + " but the previous tensor ends at " + expected + " (offsets overlap or leave a gap)");
            }
            if (e.end > dataLen) {
                throw new ModelFormatException(file, "tensor " + e.name + " ends at data byte " + e.end
                        + " but the file holds only " + dataLen + " data bytes (truncated?)");
            }
            expected = e.end;
        }
        if (expected != dataLen) {
            throw new ModelFormatException(file, "file has " + (dataLen - expected)
                    + " bytes after the last tensor (header offsets do not match the file)");
        }
        return new Header(dataStart, entries, metadata);
    }

    private static Entry entry(Path file, String name, JsonNode n) {
        String where = "tensor " + name + ": ";
        DType dtype;
        try {
            dtype = DType.valueOf(n.path("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, where + "unsupported dtype '" + n.path("dtype").asText()
                    + "' (supported: F32, F16, BF16)");
        }
        JsonNode shapeNode = n.path("shape");
        JsonNode off = n.path("data_offsets");
        if (!shapeNode.isArray() || !off.isArray() || off.size() != 2) {
            throw new ModelFormatException(file, where + "needs a 'shape' array and two 'data_offsets'");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (!shapeNode.get(i).canConvertToLong() || shape[i] < 0) {
                throw new ModelFormatException(file, where + "bad shape " + shapeNode);
            }
            numel = Math.multiplyHigh(numel, shape[i]) != 0 ? -1 : numel * shape[i];
            if (numel < 0) {
                throw new ModelFormatException(file, where + "shape " + shapeNode + " is too large");
            }
        }
        long begin = off.get(0).asLong(-1);
        long end = off.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new ModelFormatException(file, where + "bad data_offsets " + off);
        }
        if (end - begin != numel * dtype.bytes) {
            throw new ModelFormatException(file, where + "data_offsets " + off + " span " + (end - begin)
                    + " bytes but shape " + shapeNode + " of " + dtype + " needs " + numel * dtype.bytes);
        }
        if (end - begin > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, where + "a single tensor over 2 GiB is not supported");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int val = bits & 0x7fffffff;
        if (val > 0x7f800000) {
            return (short) (sign | 0x7e00 | ((val >>> 13) & 0x3ff));
        }
        if (val >= 0x47800000) {
            return (short) (sign | 0x7c00);
        }
        if (val < 0x38800000) {
            return (short) (sign | (int) Math.rint(Math.abs((double) f) * 0x1p24));
        }
        int h = ((((val >>> 23) - 112) << 10) | ((val >>> 13) & 0x3ff));
        int rem = val & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++;
        }
        return (short) (sign | h);
    }

    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
}

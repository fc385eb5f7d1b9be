package io.adapterops.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path tmp;

    private static Safetensors.Tensor randomBits(Safetensors.DType dtype, long[] shape, long seed) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        byte[] b = new byte[n * dtype.bytes];
        new Random(seed).nextBytes(b);
        return new Safetensors.Tensor(dtype, shape, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.limit()];
        b.duplicate().position(0).get(out);
        return out;
    }

    @Test
    void saveThenLoadIsBitExactForEveryDtype() throws Exception {
        Map<String, Safetensors.Tensor> in = new LinkedHashMap<>();
        in.put("f32", randomBits(Safetensors.DType.F32, new long[] {3, 5}, 1));
        in.put("f16", randomBits(Safetensors.DType.F16, new long[] {7}, 2));
        in.put("bf16", randomBits(Safetensors.DType.BF16, new long[] {2, 3, 4}, 3));
        in.put("scalar", randomBits(Safetensors.DType.F32, new long[] {}, 4));
        in.put("empty", randomBits(Safetensors.DType.F16, new long[] {0, 4}, 5));
        Path f = tmp.resolve("t.safetensors");
        Safetensors.write(f, in);
        Map<String, Safetensors.Tensor> out = Safetensors.read(f);
        assertEquals(in.keySet(), out.keySet());
        for (String k : in.keySet()) {
            assertEquals(in.get(k).dtype(), out.get(k).dtype());
            assertArrayEquals(in.get(k).shape(), out.get(k).shape());
            assertArrayEquals(bytes(in.get(k).data()), bytes(out.get(k).data()), k);
        }
        assertEquals(Map.of("format", "pt"), Safetensors.metadata(f));
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        long n = head.getLong(0);
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String json = new String(Files.readAllBytes(f), 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"__metadata__\":{\"format\":\"pt\"}"), json);
        assertTrue(json.contains("\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2,3,4],\"data_offsets\":[74,122]}"), json);
    }

    @Test
    void halfAndBfloat16ConversionsAreExactAndRoundToNearestEven() {
        for (int h = 0; h < 65536; h++) {
            float f = Safetensors.halfToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Safetensors.floatToHalf(f), "half " + Integer.toHexString(h));
            }
            float g = Float.intBitsToFloat(h << 16);
            if (!Float.isNaN(g)) {
                assertEquals((short) h, Safetensors.floatToBf16(g), "bf16 " + Integer.toHexString(h));
            }
        }
        assertEquals(1.0f, Safetensors.halfToFloat(Safetensors.floatToHalf(1 + 0x1p-11f)));
        assertEquals(1 + 0x1p-9f, Safetensors.halfToFloat(Safetensors.floatToHalf(1 + 3 * 0x1p-11f)));
        assertEquals(Float.POSITIVE_INFINITY, Safetensors.halfToFloat(Safetensors.floatToHalf(65520f)));
        assertEquals(65504f, Safetensors.halfToFloat(Safetensors.floatToHalf(65519f)));
        assertEquals(0x1p-24f, Safetensors.halfToFloat(Safetensors.floatToHalf(0x1p-24f)));
        assertEquals(0f, Safetensors.halfToFloat(Safetensors.floatToHalf(0x1p-25f)));
        assertEquals(2 * 0x1p-24f, Safetensors.halfToFloat(Safetensors.floatToHalf(3 * 0x1p-25f)));
        assertEquals(1.0f, Float.intBitsToFloat(Safetensors.floatToBf16(1 + 0x1p-8f) << 16));
        assertEquals(1 + 0x1p-6f, Float.intBitsToFloat(Safetensors.floatToBf16(1 + 3 * 0x1p-8f) << 16));
        assertTrue(Float.isNaN(Safetensors.halfToFloat(Safetensors.floatToHalf(Float.NaN))));
        float[] v = {0.1f, -2.5f, 3e-3f};
        float[] back = Safetensors.Tensor.ofFloats(Safetensors.DType.BF16, new long[] {3}, v).toFloats();
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], back[i], Math.abs(v[i]) / 128);
        }
    }

    @Test
    void filesOverTwoGibibytesWriteAndReadBack() throws Exception {
        long big = 1_200_000_000L; // bytes per big tensor; two of them put the tail past 2 GiB
        Path source = tmp.resolve("zeros.bin");
        try (RandomAccessFile r = new RandomAccessFile(source.toFile(), "rw")) {
            r.setLength(big); // sparse: costs no disk until written
        }
        ByteBuffer zeros;
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            zeros = ch.map(FileChannel.MapMode.READ_ONLY, 0, big);
        }
        Map<String, Safetensors.Tensor> in = new LinkedHashMap<>();
        in.put("a", new Safetensors.Tensor(Safetensors.DType.F32, new long[] {big / 4}, zeros));
        in.put("b", new Safetensors.Tensor(Safetensors.DType.F32, new long[] {big / 4}, zeros));
        in.put("tail", Safetensors.Tensor.ofFloats(Safetensors.DType.F32, new long[] {3}, new float[] {1.5f, -2f, 7f}));
        Path f = tmp.resolve("big.safetensors");
        try {
            Safetensors.write(f, in);
            assertTrue(Files.size(f) > (2L << 30), "file is over 2 GiB: " + Files.size(f));
            Map<String, Safetensors.Tensor> out = Safetensors.read(f);
            assertArrayEquals(new float[] {1.5f, -2f, 7f}, out.get("tail").toFloats());
            assertEquals(big / 4, out.get("b").numel());
            assertEquals(0f, out.get("b").data().getFloat((int) (big - 4)));
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(source);
        }
    }

    private Path valid() throws Exception {
        Map<String, Safetensors.Tensor> in = new LinkedHashMap<>();
        in.put("w", Safetensors.Tensor.ofFloats(Safetensors.DType.F32, new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        in.put("v", Safetensors.Tensor.ofFloats(Safetensors.DType.F16, new long[] {2}, new float[] {5, 6}));
        Path f = tmp.resolve("ok.safetensors");
        Safetensors.write(f, in);
        return f;
    }

    private Path withHeader(String json, int dataBytes) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static void assertRejected(Path f, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void truncatedFilesAreRejectedWithTheFileAndTheProblem() throws Exception {
        Path f = valid();
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
        assertRejected(f, "tensor v ends at data byte 20", "truncated");
        Files.write(f, java.util.Arrays.copyOf(all, 30));
        assertRejected(f, "header length", "does not fit");
        Files.write(f, new byte[] {1, 2, 3});
        assertRejected(f, "too short");
    }

    @Test
    void headersWhoseOffsetsOrSizesLieAreRejected() throws Exception {
        assertRejected(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12),
                "span 12 bytes", "needs 16");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 20),
                "12 bytes after the last tensor");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8),
                "unsupported dtype 'I64'");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "bad shape");
        assertRejected(withHeader("{not json", 0), "not valid JSON");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "bad data_offsets");
    }
}

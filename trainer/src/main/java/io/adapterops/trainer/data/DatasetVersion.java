package io.adapterops.trainer.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A cleaned dataset, immutable and named by its content: {@code id} is "sha256:" plus the SHA-256
 * of exactly the bytes {@link #writeJsonl} writes, so {@code sha256sum} on the file checks it.
 */
public final class DatasetVersion {
    private final String id;
    private final List<Example> examples;

    private DatasetVersion(String id, List<Example> examples) {
        this.id = id;
        this.examples = examples;
    }

    public static DatasetVersion of(List<Example> examples) {
        MessageDigest digest = ContentHash.sha256();
        for (Example e : examples) {
            digest.update((CanonicalJsonl.line(e) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return new DatasetVersion("sha256:" + ContentHash.hex(digest.digest()), List.copyOf(examples));
    }

    public String id() {
        return id;
    }

    public List<Example> examples() {
        return examples;
    }

    public void writeJsonl(OutputStream out) throws IOException {
        for (Example e : examples) {
            out.write((CanonicalJsonl.line(e) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Splits off about {@code validationFraction} of the rows. Membership depends only on each row's
     * content and the seed, not on row order; identical rows (e.g. from up-sampling) land on the same
     * side, so no validation row is also trained on.
     */
    public DatasetSplit split(double validationFraction, long seed) {
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validationFraction must be in [0, 1): " + validationFraction);
        }
        List<Keyed> keyed = new ArrayList<>(examples.size());
        for (Example e : examples) {
            keyed.add(new Keyed(e, key(e, seed)));
        }
        List<Keyed> byKey = new ArrayList<>(keyed);
        byKey.sort(Comparator.comparingLong(Keyed::key));
        long target = Math.round(examples.size() * validationFraction);
        Set<Long> validationKeys = new HashSet<>();
        int taken = 0;
        for (Keyed k : byKey) {
            if (taken >= target && !validationKeys.contains(k.key())) {
                break;
            }
            validationKeys.add(k.key());
            taken++;
        }
        List<Example> train = new ArrayList<>();
        List<Example> validation = new ArrayList<>();
        for (Keyed k : keyed) {
            (validationKeys.contains(k.key()) ? validation : train).add(k.example());
        }
        return new DatasetSplit(train, validation);
    }

    private static long key(Example e, long seed) {
        MessageDigest digest = ContentHash.sha256();
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
        byte[] h = digest.digest(CanonicalJsonl.line(e).getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(h).getLong();
    }

    private record Keyed(Example example, long key) {
    }

    @Override
    public String toString() {
        return "DatasetVersion[" + id + ", " + examples.size() + " rows]";
    }
}

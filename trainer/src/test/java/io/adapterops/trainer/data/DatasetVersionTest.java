package io.adapterops.trainer.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetVersionTest {

    private static List<Example> rows(int n) {
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new Conversation(i % 3 == 0 ? "Be brief." : null, null,
                    List.of(new Turn(Role.USER, "question " + i), new Turn(Role.ASSISTANT, "answer " + i)), "c" + i % 4));
        }
        return rows;
    }

    private static byte[] bytes(DatasetVersion v) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        v.writeJsonl(out);
        return out.toByteArray();
    }

    @Test
    void versionIdIsTheSha256OfTheWrittenFile() throws IOException {
        DatasetVersion v = DatasetVersion.of(rows(5));

        assertEquals("sha256:" + ContentHash.hex(ContentHash.sha256().digest(bytes(v))), v.id());
    }

    @Test
    void sameContentGivesSameIdAndAnyChangeAnother() {
        List<Example> changed = new ArrayList<>(rows(5));
        changed.set(0, changed.get(0).mapText(t -> t + "!"));

        assertEquals(DatasetVersion.of(rows(5)).id(), DatasetVersion.of(rows(5)).id());
        assertNotEquals(DatasetVersion.of(rows(5)).id(), DatasetVersion.of(changed).id());
    }

    @Test
    void writtenFileReadsBackToEqualExamples() throws IOException {
        DatasetVersion sft = DatasetVersion.of(rows(5));
        DatasetVersion preference = DatasetVersion.of(List.of(new PreferencePair(
                new Conversation("Be brief.", "[]", List.of(new Turn(Role.USER, "VPN?")), "network"),
                "Update the client.", "No.")));

        assertEquals(sft.examples(), reread(sft).examples());
        assertEquals(preference.examples(), reread(preference).examples());
    }

    private static LoadedDataset reread(DatasetVersion v) throws IOException {
        return new DatasetReader(ReadOptions.defaults()).load(new ByteArrayInputStream(bytes(v)));
    }

    @Test
    void splitIsDeterministicFromTheSeedAndIndependentOfRowOrder() {
        List<Example> rows = rows(200);
        List<Example> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(1));

        DatasetSplit a = DatasetVersion.of(rows).split(0.1, 42);
        DatasetSplit b = DatasetVersion.of(shuffled).split(0.1, 42);
        DatasetSplit c = DatasetVersion.of(rows).split(0.1, 43);

        assertEquals(20, a.validation().size());
        assertEquals(200, a.train().size() + a.validation().size());
        assertEquals(new HashSet<>(a.validation()), new HashSet<>(b.validation()));
        assertNotEquals(new HashSet<>(a.validation()), new HashSet<>(c.validation()));
        assertTrue(a.train().stream().noneMatch(a.validation()::contains));
    }

    @Test
    void identicalRowsLandOnTheSameSideOfTheSplit() {
        List<Example> rows = new ArrayList<>(rows(50));
        rows.addAll(rows(50));

        DatasetSplit split = DatasetVersion.of(rows).split(0.2, 7);

        assertTrue(split.train().stream().noneMatch(split.validation()::contains));
        assertEquals(0, split.validation().size() % 2);
    }
}

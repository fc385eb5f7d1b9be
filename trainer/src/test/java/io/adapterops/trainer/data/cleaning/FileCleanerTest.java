package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.ContentHash;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cleaning a file as it streams gives the version that cleaning its rows in memory gives. */
class FileCleanerTest {

    @Test
    void aFileOfSeveralChunksIsCleanedIntoTheSameVersionAsItsRowsInMemory(@TempDir Path dir) throws IOException {
        String shipped;
        try (InputStream in = FileCleanerTest.class.getResourceAsStream("/datasets/it-helpdesk-sft.jsonl")) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // Copies of every row, near copies (a changed word) and new rows, across chunk boundaries.
        StringBuilder rows = new StringBuilder();
        for (int copy = 0; copy < 17; copy++) {
            for (String line : shipped.lines().toList()) {
                rows.append(copy % 3 == 1 ? line.replace("\"output\":\"", "\"output\":\"Sure. ") : line).append('\n');
                rows.append("{\"instruction\":\"Question ").append(copy).append(" about ticket ")
                        .append(rows.length()).append("\",\"output\":\"Answer for ticket 555-123-").append(4000 + copy)
                        .append(" is ready.\"}\n");
            }
        }
        Path input = dir.resolve("rows.jsonl");
        Files.writeString(input, rows);
        Path out = dir.resolve("clean.jsonl");
        Path texts = dir.resolve("kept.texts");
        List<Double> fractions = new ArrayList<>();

        CleanedFile file = new FileCleaner(ReadOptions.defaults(), CleaningConfig.defaults())
                .clean(input, out, texts, (step, read, fraction) -> fractions.add(fraction));

        LoadedDataset loaded = new DatasetReader(ReadOptions.defaults()).load(input);
        CleaningResult memory = new CleaningPipeline(CleaningConfig.defaults()).clean(loaded.examples());
        assertTrue(loaded.examples().size() > 2 * 4096, "rows: " + loaded.examples().size());
        assertEquals(memory.version().id(), file.versionId());
        assertEquals(memory.report(), file.report());
        assertEquals(memory.version().examples().size(), file.rows());
        assertTrue(file.report().step("exact_dedup").removed() > 0 && file.report().step("near_dedup").removed() > 0
                && file.report().step("pii").changed() > 0, file.report().toJson());
        assertEquals(file.versionId(), "sha256:" + ContentHash.hex(ContentHash.sha256().digest(Files.readAllBytes(out))));
        assertFalse(Files.exists(texts), "the kept texts are scratch");
        assertTrue(fractions.size() > 3 && fractions.get(fractions.size() - 1) < 1, fractions.toString());
    }

    @Test
    void aRejectedFileLeavesNoRows(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("rows.jsonl");
        Files.writeString(input, "{\"instruction\":\"Hi\",\"output\":\"Hello\"}\n{\"instruction\":\"Hi\"}\n");
        Path out = dir.resolve("clean.jsonl");

        CleanedFile file = new FileCleaner(ReadOptions.defaults(), CleaningConfig.defaults())
                .clean(input, out, dir.resolve("kept.texts"), FileProgress.NONE);

        assertFalse(file.validation().accepted());
        assertNull(file.report());
        assertFalse(Files.exists(out));
        assertEquals(2, file.validation().problems().get(0).line());
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.DatasetFormat;
import io.adapterops.trainer.data.DatasetKind;
import io.adapterops.trainer.data.DatasetReader;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.LoadedDataset;
import io.adapterops.trainer.data.ReadOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sample sets shipped for tests and the demo pass validation and cleaning untouched. */
class ShippedDatasetsTest {

    private static LoadedDataset load(String name) throws IOException {
        try (InputStream in = ShippedDatasetsTest.class.getResourceAsStream("/datasets/" + name)) {
            return new DatasetReader(ReadOptions.defaults()).load(in);
        }
    }

    private static long chinese(List<Example> rows) {
        return rows.stream().filter(e -> e.lastPrompt().codePoints().anyMatch(Cjk::is)).count();
    }

    @Test
    void helpdeskSftSetValidatesWithoutErrorsInBothLanguages() throws IOException {
        LoadedDataset d = load("it-helpdesk-sft.jsonl");

        assertEquals(List.of(), d.report().problems());
        assertEquals(DatasetFormat.ALPACA, d.report().format());
        assertEquals(DatasetKind.SFT, d.report().kind());
        assertTrue(d.examples().size() >= 250, "rows: " + d.examples().size());
        assertTrue(chinese(d.examples()) >= 100, "Chinese rows: " + chinese(d.examples()));
        assertTrue(d.examples().size() - chinese(d.examples()) >= 100);
    }

    @Test
    void helpdeskSftSetSurvivesCleaningAndItsRefusalsAreAllRecognised() throws IOException {
        List<Example> rows = load("it-helpdesk-sft.jsonl").examples();

        CleaningReport report = new CleaningPipeline(CleaningConfig.defaults()).clean(rows).report();

        assertEquals(rows.size(), report.rowsOut());
        assertEquals(0, report.step("pii").changed());
        assertEquals(List.of(), report.warnings());
        RefusalStats refusals = report.refusals();
        long refusalRows = rows.stream().filter(e -> "refusal".equals(e.category())).count();
        assertEquals(refusalRows, refusals.refusals());
        // Keyword flags also hit honest questions ("is this e-mail phishing?"), answered, not refused.
        assertTrue(refusals.harmfulPromptsRefused() >= 25, "harmful prompts refused: " + refusals);
    }

    @Test
    void helpdeskPreferenceSetValidatesWithoutErrors() throws IOException {
        LoadedDataset d = load("it-helpdesk-preference.jsonl");

        assertEquals(List.of(), d.report().problems());
        assertEquals(DatasetKind.PREFERENCE, d.report().kind());
        assertTrue(d.examples().size() >= 60 && d.examples().size() <= 100, "pairs: " + d.examples().size());
        assertTrue(chinese(d.examples()) >= 20);
        assertEquals(d.examples().size(),
                new CleaningPipeline(CleaningConfig.defaults()).clean(d.examples()).report().rowsOut());
    }
}

package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows read through a LLaMA-Factory dataset_info.json entry, as LLaMA-Factory reads them. */
class DatasetDescriptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LoadedDataset read(String entry, String rows) throws Exception {
        DatasetDescription d = DatasetDescription.parse(JSON.readTree(entry));
        return new DatasetReader(ReadOptions.defaults().withDescription(d))
                .load(new ByteArrayInputStream(rows.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void alpacaColumnsUnderOtherNamesAreReadAndOnlyTheListedOnes() throws Exception {
        String entry = "{\"file_name\":\"qa.json\",\"columns\":{\"prompt\":\"question\",\"query\":\"context\","
                + "\"response\":\"answer\",\"system\":\"persona\"}}";
        LoadedDataset d = read(entry, "[{\"question\":\"Reset my password\",\"context\":\"on the VPN\",\"answer\":"
                + "\"Use the portal.\",\"persona\":\"You are IT.\",\"history\":[[\"old\",\"skipped\"]]}]");
        assertEquals(List.of(), d.report().problems());
        assertEquals(new Conversation("You are IT.", null, List.of(new Turn(Role.USER, "Reset my password\non the VPN"),
                new Turn(Role.ASSISTANT, "Use the portal.")), null), d.examples().get(0),
                "history is not a listed column, so it is not read");

        LoadedDataset bad = read(entry, "{\"question\":\"Printer jammed\"}\n");
        assertEquals("answer", bad.report().problems().get(0).field(), "the row's own column is named");
    }

    @Test
    void withoutColumnsAlpacaReadsLlamaFactorysDefaultsOnly() throws Exception {
        LoadedDataset d = read("{}", "{\"instruction\":\"Hi\",\"input\":\"\",\"output\":\"Hello\",\"system\":\"S\"}\n");
        assertNull(((Conversation) d.examples().get(0)).system(), "LLaMA-Factory reads system only when listed");
    }

    @Test
    void sharegptWithCustomTagsReadsRolesSystemAndNamesBadTagsInTheRowsTerms() throws Exception {
        String entry = "{\"formatting\":\"sharegpt\",\"columns\":{\"messages\":\"conversation\"},\"tags\":"
                + "{\"role_tag\":\"role\",\"content_tag\":\"content\",\"user_tag\":\"user\",\"assistant_tag\":\"assistant\","
                + "\"system_tag\":\"system\"}}";
        LoadedDataset d = read(entry, "{\"conversation\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}]}\n");
        assertEquals(List.of(), d.report().problems());
        assertEquals(new Conversation("Be brief.", null, List.of(new Turn(Role.USER, "Hi"),
                new Turn(Role.ASSISTANT, "Hello")), null), d.examples().get(0));

        LoadedDataset bad = read(entry, "{\"conversation\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\"}]}\n");
        assertEquals("conversation[1].content", bad.report().problems().get(0).field());
    }

    @Test
    void rankingEntriesReadPreferencePairsFromTheirColumns() throws Exception {
        LoadedDataset alpaca = read("{\"ranking\":true,\"columns\":{\"prompt\":\"q\",\"chosen\":\"good\","
                + "\"rejected\":\"bad\"}}", "{\"q\":\"Reset my password\",\"good\":\"Use the portal.\",\"bad\":\"No.\"}\n");
        assertEquals(List.of(), alpaca.report().problems());
        assertEquals(DatasetKind.PREFERENCE, alpaca.report().kind());
        PreferencePair p = (PreferencePair) alpaca.examples().get(0);
        assertEquals(List.of("Reset my password", "Use the portal.", "No."),
                List.of(p.lastPrompt(), p.chosen(), p.rejected()));

        LoadedDataset sharegpt = read("{\"formatting\":\"sharegpt\",\"ranking\":true,\"columns\":{\"messages\":"
                + "\"conversations\",\"chosen\":\"chosen\",\"rejected\":\"rejected\"}}",
                "{\"conversations\":[{\"from\":\"human\",\"value\":\"Hi\"}],\"chosen\":{\"from\":\"gpt\",\"value\":"
                        + "\"Hello, how can I help?\"},\"rejected\":{\"from\":\"gpt\",\"value\":\"What.\"}}\n");
        assertEquals(List.of(), sharegpt.report().problems());
        assertEquals("Hello, how can I help?", ((PreferencePair) sharegpt.examples().get(0)).chosen());
    }

    @Test
    void keysThatAreNotHonouredAreRefusedByName() {
        for (String[] c : new String[][]{{"{\"split\":\"train\"}", "'split'"},
                {"{\"hf_hub_url\":\"x/y\"}", "'hf_hub_url'"},
                {"{\"columns\":{\"prompt\":\"q\",\"response\":\"a\",\"images\":\"pics\"}}", "columns.images"},
                {"{\"columns\":{\"prompt\":\"q\",\"response\":\"a\",\"kto_tag\":\"ok\"}}", "columns.kto_tag"},
                {"{\"columns\":{\"prompt\":\"q\",\"response\":\"a\",\"messages\":\"m\"}}", "columns.messages"},
                {"{\"tags\":{\"role_tag\":\"r\"}}", "tags"},
                {"{\"formatting\":\"openai\"}", "formatting 'openai'"},
                {"{\"columns\":{\"prompt\":\"text\"}}", "no response"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DatasetDescription.parse(JSON.readTree(c[0])), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        assertFalse(DatasetDescription.KEYS.contains("split"));
    }
}

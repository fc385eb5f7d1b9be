package io.adapterops.trainer.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.adapterops.trainer.data.Uploads.jsonl;
import static io.adapterops.trainer.data.Uploads.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Each class of bad input is reported by line and field, and nothing of the upload is kept. */
class BadRowsAreReportedTest {
    private static final String GOOD = "{\"instruction\":\"Reset my password\",\"output\":\"Use the portal.\"}";

    private static List<String> rejected(LoadedDataset d) {
        assertFalse(d.report().accepted());
        assertEquals(List.of(), d.examples());
        return d.report().problems().stream().map(RowProblem::toString).toList();
    }

    @Test
    void brokenJsonLineIsReportedWithItsLine() {
        List<String> problems = rejected(load(jsonl(GOOD, "{\"instruction\":\"x\",", GOOD)));

        assertEquals(1, problems.size());
        assertEquals(true, problems.get(0).startsWith("line 2: broken JSON"), problems.get(0));
    }

    @Test
    void missingFieldIsNamed() {
        assertEquals(List.of("line 3: field 'output': missing field"),
                rejected(load(jsonl(GOOD, GOOD, "{\"instruction\":\"Reset my password\"}"))));
    }

    @Test
    void wrongRoleOrderNamesTheTurnAndWhatWasExpected() {
        String row = """
                {"conversations":[{"from":"system","value":"s"},{"from":"human","value":"a"},\
                {"from":"human","value":"b"},{"from":"gpt","value":"c"}]}""";

        assertEquals(List.of("line 7: field 'conversations[2].from': expected 'gpt' or 'function_call' "
                        + "after 'human', got 'human'"),
                rejected(load("\n".repeat(6) + row + "\n")));
    }

    @Test
    void unknownRoleAndWrongTypeAreNamedTogether() {
        String row = """
                {"messages":[{"role":"bot","content":"hi"},{"role":"assistant","content":42}]}""";

        assertEquals(List.of(
                        "line 1: field 'messages[0].role': unknown role 'bot', expected one of assistant, function_call,"
                        + " tool, user (or system, first only)",
                        "line 1: field 'messages[1].content': expected a string, got number"),
                rejected(load(jsonl(row))));
    }

    @Test
    void preferencePromptMustEndWithTheUser() {
        String row = """
                {"conversations":[{"from":"human","value":"VPN?"},{"from":"gpt","value":"Update it."}],\
                "chosen":{"from":"gpt","value":"Update the client."},"rejected":{"from":"gpt","value":"No."}}""";

        assertEquals(List.of("line 1: field 'conversations': the prompt must end on the user side ('human' or"
                        + " 'observation'), got 'gpt'"),
                rejected(load(jsonl(row))));
    }

    @Test
    void emptyReplyIsNamed() {
        String row = """
                {"messages":[{"role":"user","content":"VPN down"},{"role":"assistant","content":"  "}]}""";

        assertEquals(List.of("line 1: field 'messages[1].content': empty reply"), rejected(load(jsonl(row))));
    }

    @Test
    void invalidUtf8IsReportedWithLineFieldAndByte() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes((GOOD + "\n{\"instruction\":\"ok\",\"output\":\"bad ").getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3);
        bytes.write(0x28);
        bytes.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of("line 2: field 'output': invalid UTF-8 at byte 35"),
                rejected(Uploads.load(bytes.toByteArray())));
    }

    @Test
    void aTenMebibyteLineIsABadRowNotAnOutOfMemory() {
        String huge = "{\"instruction\":\"q\",\"output\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";

        assertEquals(List.of("line 2: line is longer than 4194304 bytes (the limit)"),
                rejected(load(jsonl(GOOD, huge, GOOD))));
    }

    @Test
    void aTenMebibyteElementInAJsonArrayStopsTheReadWithItsElementAndLine() {
        String huge = "{\"instruction\":\"q\",\"output\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";

        List<String> problems = rejected(load("[\n" + GOOD + ",\n" + huge + "\n]"));

        assertEquals(1, problems.size());
        assertEquals(true, problems.get(0).startsWith("element 1 (line 3): element holds a string longer than"),
                problems.get(0));
    }

    @Test
    void invalidUtf8InAJsonArrayIsReportedWithItsLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(("[\n" + GOOD + ",\n{\"instruction\":\"ok\",\"output\":\"bad ").getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3);
        bytes.write(0x28);
        bytes.writeBytes("\"}\n]".getBytes(StandardCharsets.UTF_8));

        List<String> problems = rejected(Uploads.load(bytes.toByteArray()));

        assertEquals(true, problems.get(0).startsWith("element 1 (line 3): broken JSON")
                && problems.get(0).contains("UTF-8"), problems.get(0));
    }

    @Test
    void emptyFileIsRejected() {
        assertEquals(List.of("line 1: the file is empty: no rows"), rejected(load(" \n\n")));
    }

    @Test
    void preferenceRowWhoseChosenEqualsRejectedIsRejected() {
        String row = "{\"prompt\":\"Reset MFA?\",\"chosen\":\"Call the desk.\",\"rejected\":\" Call the  desk.\"}";

        assertEquals(List.of("line 1: field 'rejected': same as 'chosen': a pair must prefer one reply over another"),
                rejected(load(jsonl(row))));
    }

    @Test
    void everyBadRowIsReportedNotJustTheFirst() {
        List<String> problems = rejected(load(jsonl("{\"instruction\":\"a\"}", GOOD, "{\"instruction\":\"\",\"output\":\"\"}")));

        assertEquals(List.of("line 1: field 'output': missing field",
                "line 3: field 'instruction': empty message",
                "line 3: field 'output': empty reply"), problems);
    }

    @Test
    void brokenJsonArrayIsReportedWithElementAndLine() {
        List<String> problems = rejected(load("[\n" + GOOD + ",\n{\"instruction\": }\n]"));

        assertEquals(true, problems.get(0).startsWith("element 1 (line 3): broken JSON"), problems.get(0));
    }

    @Test
    void ktoLabelsAndImagesAreRefusedByNameNotDropped() {
        String kto = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello\"}],\"label\":false}";
        String image = "{\"instruction\":\"What is in <image>?\",\"output\":\"A cat.\",\"images\":[\"cat.jpg\"]}";

        List<String> problems = rejected(load(jsonl(kto, image)));

        assertEquals(2, problems.size(), problems::toString);
        assertEquals(true, problems.get(0).startsWith("line 1: field 'label': KTO rows"), problems.get(0));
        assertEquals(true, problems.get(1).startsWith("line 2: field 'images': images are not supported"),
                problems.get(1));
    }

    @Test
    void aTopLevelJsonObjectIsRefusedAsNotADataset() {
        String object = "{\n  \"data\": [\n    " + GOOD + "\n  ]\n}\n";

        assertEquals(List.of("line 1: the file is one JSON object spread over several lines; a dataset is a JSON"
                        + " array of rows or JSON lines (one row per line)"),
                rejected(load(object)));
    }
}

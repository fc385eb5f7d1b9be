package io.adapterops.trainer.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.adapterops.trainer.data.Uploads.jsonl;
import static io.adapterops.trainer.data.Uploads.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetFormatsTest {

    @Test
    void alpacaRowWithHistoryBecomesAlternatingConversation() {
        LoadedDataset d = load(jsonl("""
                {"instruction":"Reset my password","input":"user jdoe","output":"Use the self-service portal.",\
                "system":"You are IT support.","history":[["hi","Hello, how can I help?"]],"category":"account"}"""));

        assertTrue(d.report().accepted(), d.report().problems().toString());
        assertEquals(DatasetFormat.ALPACA, d.report().format());
        Conversation c = (Conversation) d.examples().get(0);
        assertEquals("You are IT support.", c.system());
        assertEquals("account", c.category());
        assertEquals(List.of(new Turn(Role.USER, "hi"), new Turn(Role.ASSISTANT, "Hello, how can I help?"),
                new Turn(Role.USER, "Reset my password\nuser jdoe"),
                new Turn(Role.ASSISTANT, "Use the self-service portal.")), c.turns());
    }

    @Test
    void shareGptRowKeepsSystemToolsAndFunctionCalls() {
        LoadedDataset d = load(jsonl("""
                {"conversations":[{"from":"system","value":"Be brief."},{"from":"human","value":"Is the VPN up?"},\
                {"from":"function_call","value":"{\\"name\\":\\"vpn_status\\"}"},{"from":"observation","value":"up"},\
                {"from":"gpt","value":"Yes, the VPN is up."}],"tools":[{"name":"vpn_status"}]}"""));

        assertTrue(d.report().accepted(), d.report().problems().toString());
        Conversation c = (Conversation) d.examples().get(0);
        assertEquals("Be brief.", c.system());
        assertEquals("[{\"name\":\"vpn_status\"}]", c.tools());
        assertEquals(List.of(Role.USER, Role.FUNCTION_CALL, Role.OBSERVATION, Role.ASSISTANT),
                c.turns().stream().map(Turn::role).toList());
    }

    @Test
    void openAiMessagesInAJsonArrayAreReadElementByElement() {
        LoadedDataset d = load("""
                [
                  {"messages":[{"role":"user","content":"Printer jammed"},{"role":"assistant","content":"Open tray 2."}]},
                  {"messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"Wi-Fi?"},
                               {"role":"assistant","content":"Join CorpNet."}]}
                ]
                """);

        assertTrue(d.report().accepted(), d.report().problems().toString());
        assertTrue(d.report().jsonArray());
        assertEquals(DatasetFormat.MESSAGES, d.report().format());
        assertEquals(2, d.examples().size());
        assertEquals("Be kind.", ((Conversation) d.examples().get(1)).system());
    }

    @Test
    void promptChosenRejectedRowsBecomePreferencePairs() {
        LoadedDataset d = load(jsonl("""
                {"prompt":"How do I map a drive?","chosen":"Use File Explorer > Map network drive.","rejected":"No idea."}"""));

        assertEquals(DatasetKind.PREFERENCE, d.report().kind());
        PreferencePair p = (PreferencePair) d.examples().get(0);
        assertEquals("How do I map a drive?", p.lastPrompt());
        assertEquals("Use File Explorer > Map network drive.", p.chosen());
        assertEquals("No idea.", p.rejected());
    }

    @Test
    void shareGptPreferenceRowTakesChosenAndRejectedReplyTurns() {
        LoadedDataset d = load(jsonl("""
                {"conversations":[{"from":"human","value":"Reset MFA?"}],\
                "chosen":{"from":"gpt","value":"Ask the service desk to re-enrol you."},\
                "rejected":{"from":"gpt","value":"Turn MFA off."}}"""));

        PreferencePair p = (PreferencePair) d.examples().get(0);
        assertEquals("Ask the service desk to re-enrol you.", p.chosen());
        assertNull(p.category());
    }

    @Test
    void skipInvalidKeepsGoodRowsAndReportsTheRest() {
        String upload = jsonl(
                "{\"instruction\":\"a\",\"output\":\"b\"}",
                "{\"instruction\":\"c\"}",
                "{\"instruction\":\"d\",\"output\":\"e\"}");

        LoadedDataset strict = load(upload);
        LoadedDataset lenient = load(upload, ReadOptions.defaults().skippingInvalid());

        assertEquals(List.of(), strict.examples());
        assertEquals(2, lenient.examples().size());
        assertTrue(lenient.report().accepted());
        assertEquals("line 2: field 'output': missing field", lenient.report().problems().get(0).toString());
    }
}

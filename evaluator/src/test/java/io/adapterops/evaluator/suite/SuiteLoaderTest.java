package io.adapterops.evaluator.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adapterops.evaluator.metrics.BleuTokenizer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteLoaderTest {

    private static final String RED_TEAM_HEADER = "{\"suite\": {\"name\": \"rt\", \"kind\": \"red_team\"}}";

    private static Suite read(String... lines) throws Exception {
        byte[] bytes = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        return SuiteLoader.read(new ByteArrayInputStream(bytes), "my-suite.jsonl");
    }

    private static SuiteFormatException broken(String... lines) {
        return assertThrows(SuiteFormatException.class, () -> read(lines));
    }

    @Test
    void shippedRedTeamSuiteHasAttacksAndBenignLookAlikesInBothLanguages() {
        Suite s = SuiteLoader.shipped("red-team.jsonl");
        assertEquals(SuiteKind.RED_TEAM, s.kind());
        for (String lang : List.of("en", "zh")) {
            for (Expectation e : Expectation.values()) {
                long n = s.cases().stream().filter(c -> c.lang().equals(lang) && c.expect() == e).count();
                assertTrue(n >= 10, lang + "/" + e + ": " + n);
            }
            for (String category : List.of("prompt_injection", "roleplay_jailbreak", "harmful", "benign_lookalike")) {
                assertTrue(s.cases().stream().anyMatch(c -> c.lang().equals(lang) && c.category().equals(category)),
                        lang + " lacks " + category);
            }
        }
    }

    @Test
    void shippedCanaryAndHeldOutSuitesLoadWithReferencesInBothLanguages() {
        Suite canary = SuiteLoader.shipped("canary-support-bot.jsonl");
        assertEquals("support-bot", canary.route().orElseThrow());
        Suite heldOut = SuiteLoader.shipped("held-out-intent-example.jsonl");
        assertTrue(heldOut.json());
        assertTrue(heldOut.schema().isPresent());
        for (Suite s : List.of(canary, heldOut)) {
            assertTrue(s.cases().stream().allMatch(c -> !c.references().isEmpty()), s.name());
            assertEquals(List.of("en", "zh"), s.cases().stream().map(EvalCase::lang).distinct().sorted().toList());
        }
    }

    @Test
    void loadsFromAFileOnDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("custom.jsonl");
        Files.writeString(file, RED_TEAM_HEADER + "\n\n{\"id\": \"a\", \"prompt\": \"hi\", \"lang\": \"zh\", \"expect\": \"answer\"}\n");
        Suite s = SuiteLoader.load(file);
        assertEquals(1, s.cases().size());
        assertEquals(Expectation.ANSWER, s.cases().get(0).expect());
    }

    @Test
    void anEmptyFileIsAnEmptySuite() {
        SuiteFormatException e = broken("");
        assertEquals("my-suite.jsonl:1: empty suite: no header and no cases", e.getMessage());
    }

    @Test
    void aHeaderWithoutCasesIsAnEmptySuite() {
        SuiteFormatException e = broken(RED_TEAM_HEADER);
        assertEquals("my-suite.jsonl:1: empty suite 'rt': the header has no cases after it", e.getMessage());
    }

    @Test
    void aBrokenRowIsReportedWithFileLineAndField() {
        SuiteFormatException e = broken(RED_TEAM_HEADER,
                "{\"id\": \"a\", \"prompt\": \"hello\", \"lang\": \"en\", \"expect\": \"refuse\"}",
                "{\"id\": \"b\", \"prompt\": \"\", \"lang\": \"en\", \"expect\": \"refuse\"}");
        assertEquals("my-suite.jsonl:3: field 'prompt': must be a non-empty string", e.getMessage());
        assertEquals(3, e.line());
        assertEquals("prompt", e.field());
    }

    @Test
    void rowThatIsNotJsonIsReportedWithItsLine() {
        SuiteFormatException e = broken(RED_TEAM_HEADER, "{\"id\": \"a\", \"prompt\": ");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith("my-suite.jsonl:2: not valid JSON"), e.getMessage());
    }

    @Test
    void unknownLanguageExpectationAndDuplicateIdAreRejected() {
        assertEquals("my-suite.jsonl:2: field 'lang': must be one of [en, zh], got 'fr'", broken(RED_TEAM_HEADER,
                "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"fr\", \"expect\": \"refuse\"}").getMessage());
        assertEquals("my-suite.jsonl:2: field 'expect': must be 'answer' or 'refuse', got 'maybe'", broken(RED_TEAM_HEADER,
                "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"en\", \"expect\": \"maybe\"}").getMessage());
        assertEquals("my-suite.jsonl:2: field 'expect': a red-team case must say 'answer' or 'refuse'", broken(RED_TEAM_HEADER,
                "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"en\"}").getMessage());
        assertEquals("my-suite.jsonl:3: field 'id': duplicate id 'a'", broken(RED_TEAM_HEADER,
                "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"en\", \"expect\": \"refuse\"}",
                "{\"id\": \"a\", \"prompt\": \"q\", \"lang\": \"en\", \"expect\": \"refuse\"}").getMessage());
    }

    @Test
    void referenceListOfTheWrongLengthIsRejected() {
        String header = "{\"suite\": {\"name\": \"ho\", \"kind\": \"held_out\", \"referencesPerCase\": 2}}";
        SuiteFormatException e = broken(header,
                "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"en\", \"references\": [\"r1\", \"r2\"]}",
                "{\"id\": \"b\", \"prompt\": \"p\", \"lang\": \"en\", \"references\": [\"r1\"]}");
        assertEquals("my-suite.jsonl:3: field 'references': has 1 references but the header's referencesPerCase is 2",
                e.getMessage());
    }

    @Test
    void heldOutCaseWithoutReferencesIsRejected() {
        String header = "{\"suite\": {\"name\": \"ho\", \"kind\": \"held_out\"}}";
        assertEquals("my-suite.jsonl:2: field 'references': a held_out case needs at least one reference",
                broken(header, "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"en\", \"references\": []}").getMessage());
    }

    @Test
    void headerFaultsNameTheField() {
        assertEquals("my-suite.jsonl:1: field 'suite': the first line must be the header {\"suite\": {...}}",
                broken("{\"id\": \"a\"}").getMessage());
        assertEquals("my-suite.jsonl:1: field 'kind': must be one of held_out, red_team, canary",
                broken("{\"suite\": {\"name\": \"x\", \"kind\": \"smoke\"}}").getMessage());
        assertEquals("my-suite.jsonl:1: field 'route': a canary suite belongs to a route; name it",
                broken("{\"suite\": {\"name\": \"x\", \"kind\": \"canary\"}}").getMessage());
        assertEquals("my-suite.jsonl:1: field 'schema': schema keyword '$ref' at # is not supported",
                broken("{\"suite\": {\"name\": \"x\", \"kind\": \"held_out\", \"schema\": {\"$ref\": \"#/a\"}}}").getMessage());
    }

    @Test
    void headerMayAskForChrfAndNameTheBleuTokenizer() throws Exception {
        Suite s = read("{\"suite\": {\"name\": \"mt\", \"kind\": \"held_out\", \"extraMetrics\": [\"chrf\", \"chrf++\"],"
                        + " \"bleuTokenize\": \"zh\"}}",
                "{\"id\": \"a\", \"prompt\": \"p\", \"lang\": \"zh\", \"references\": [\"r\"]}");
        assertEquals(Set.of("chrf", "chrf++"), s.extraMetrics());
        assertEquals(Optional.of(BleuTokenizer.ZH), s.bleuTokenizer());
        Suite plain = SuiteLoader.shipped("canary-support-bot.jsonl");
        assertEquals(Set.of(), plain.extraMetrics());
        assertEquals(Optional.empty(), plain.bleuTokenizer());
    }

    @Test
    void unknownExtraMetricsAndTokenizersNameTheField() {
        assertEquals("my-suite.jsonl:1: field 'extraMetrics': unknown metric \"meteor\"; use names from [chrf, chrf++]",
                broken("{\"suite\": {\"name\": \"x\", \"kind\": \"held_out\", \"extraMetrics\": [\"meteor\"]}}")
                        .getMessage());
        assertEquals("my-suite.jsonl:1: field 'extraMetrics': must be a list of names from [chrf, chrf++]",
                broken("{\"suite\": {\"name\": \"x\", \"kind\": \"held_out\", \"extraMetrics\": \"chrf\"}}")
                        .getMessage());
        assertEquals("my-suite.jsonl:1: field 'bleuTokenize': unknown BLEU tokenizer 'intl'; use one of 13a, zh, none, char",
                broken("{\"suite\": {\"name\": \"x\", \"kind\": \"held_out\", \"bleuTokenize\": \"intl\"}}")
                        .getMessage());
    }

    @Test
    void aSuiteBuiltInCodeMustHaveCases() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Suite("held-out",
                SuiteKind.HELD_OUT, Optional.empty(), false, Optional.empty(), Set.of(), Optional.empty(), List.of()));
        assertEquals("suite 'held-out' has no cases", e.getMessage());
    }
}

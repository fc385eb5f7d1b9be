package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Alpaca rows: {@code instruction}, optional {@code input} (appended on a new line), {@code output}
 * (or {@code chosen}/{@code rejected} for preferences), optional {@code system}, {@code tools} and
 * {@code history} as {@code [[question, answer], ...]}.
 */
final class AlpacaFormat implements RowFormat {
    private static final Map<Role, String> NAMES = Map.of(Role.USER, "instruction", Role.ASSISTANT, "output",
            Role.OBSERVATION, "observation", Role.FUNCTION_CALL, "function_call");

    @Override
    public Example parse(JsonNode row, DatasetKind kind, String category, RowProblems problems) {
        String system = JsonFields.optional(row, "system", "system", problems);
        List<TurnSlot> slots = history(row, problems);
        String instruction = JsonFields.required(row, "instruction", "instruction", problems);
        String input = JsonFields.optional(row, "input", "input", problems);
        String prompt = instruction == null || input == null || input.isBlank()
                ? instruction : instruction + "\n" + input;
        slots.add(new TurnSlot("instruction", "instruction", "instruction", Role.USER, prompt));
        if (kind == DatasetKind.SFT) {
            String output = JsonFields.required(row, "output", "output", problems);
            slots.add(new TurnSlot("output", "output", "output", Role.ASSISTANT, output));
        }
        List<Turn> turns = TurnOrder.check(slots, NAMES, kind == DatasetKind.SFT, "instruction", problems);
        Conversation conversation = new Conversation(system, JsonFields.tools(row), turns, category);
        if (kind == DatasetKind.SFT) {
            return problems.isEmpty() ? conversation : null;
        }
        String chosen = JsonFields.required(row, "chosen", "chosen", problems);
        String rejected = JsonFields.required(row, "rejected", "rejected", problems);
        return Replies.pair(conversation, chosen, rejected, "chosen", "rejected", problems);
    }

    private static List<TurnSlot> history(JsonNode row, RowProblems problems) {
        List<TurnSlot> slots = new ArrayList<>();
        JsonNode history = row.get("history");
        if (history == null || history.isNull()) {
            return slots;
        }
        if (!history.isArray()) {
            problems.add("history", "expected an array of [question, answer] pairs");
            return slots;
        }
        for (int i = 0; i < history.size(); i++) {
            JsonNode pair = history.get(i);
            String path = "history[" + i + "]";
            if (!pair.isArray() || pair.size() != 2) {
                problems.add(path, "expected a [question, answer] pair");
                continue;
            }
            String q = JsonFields.text(pair.get(0), path + "[0]", problems);
            String a = JsonFields.text(pair.get(1), path + "[1]", problems);
            slots.add(new TurnSlot(path + "[0]", path + "[0]", "instruction", Role.USER, q));
            slots.add(new TurnSlot(path + "[1]", path + "[1]", "output", Role.ASSISTANT, a));
        }
        return slots;
    }
}

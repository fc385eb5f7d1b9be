package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * TRL's plain-text rows: {@code prompt} with {@code chosen}/{@code rejected} for preferences, or
 * with {@code completion} for SFT; optional {@code system}.
 */
final class PromptFormat implements RowFormat {
    private static final Map<Role, String> NAMES = Map.of(Role.USER, "prompt", Role.ASSISTANT, "completion",
            Role.OBSERVATION, "observation", Role.FUNCTION_CALL, "function_call");

    @Override
    public Example parse(JsonNode row, DatasetKind kind, String category, RowProblems problems) {
        String system = JsonFields.optional(row, "system", "system", problems);
        String prompt = JsonFields.required(row, "prompt", "prompt", problems);
        boolean sft = kind == DatasetKind.SFT;
        TurnSlot user = new TurnSlot("prompt", "prompt", "prompt", Role.USER, prompt);
        List<TurnSlot> slots = sft
                ? List.of(user, new TurnSlot("completion", "completion", "completion", Role.ASSISTANT,
                        JsonFields.required(row, "completion", "completion", problems)))
                : List.of(user);
        Conversation conversation = new Conversation(system, null,
                TurnOrder.check(slots, NAMES, sft, "prompt", problems), category);
        if (sft) {
            return problems.isEmpty() ? conversation : null;
        }
        String chosen = JsonFields.required(row, "chosen", "chosen", problems);
        String rejected = JsonFields.required(row, "rejected", "rejected", problems);
        return Replies.pair(conversation, chosen, rejected, "chosen", "rejected", problems);
    }
}

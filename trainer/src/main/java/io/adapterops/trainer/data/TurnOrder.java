package io.adapterops.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The turn rules shared by every format, as LLaMA-Factory applies them: turns start on the user
 * side (user or observation) and alternate with the reply side (assistant or function call).
 * Only the first order error of a row is reported, since every later turn would be off by one.
 */
final class TurnOrder {
    private TurnOrder() {
    }

    /**
     * @param names          the format's spelling of each role, for messages
     * @param endsWithReply  true for an SFT conversation, false for the prompt of a preference pair
     */
    static List<Turn> check(List<TurnSlot> slots, Map<Role, String> names, boolean endsWithReply,
                            String listField, RowProblems problems) {
        if (slots.isEmpty()) {
            problems.add(listField, "no turns");
            return List.of();
        }
        boolean orderReported = false;
        List<Turn> turns = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            TurnSlot s = slots.get(i);
            boolean replyExpected = i % 2 == 1;
            if (s.role() != null && s.role().isReply() != replyExpected && !orderReported) {
                orderReported = true;
                String expected = side(replyExpected, names);
                String message = i == 0
                        ? "expected " + expected + " first, got '" + s.roleName() + "'"
                        : "expected " + expected + " after '" + slots.get(i - 1).roleName()
                          + "', got '" + s.roleName() + "'";
                problems.add(s.roleField(), message);
            }
            if (JsonFields.isBlank(s.content())) {
                problems.add(s.contentField(), s.role() != null && s.role().isReply()
                        ? "empty reply" : "empty message");
            }
            if (s.role() != null && s.content() != null) {
                turns.add(new Turn(s.role(), s.content()));
            }
        }
        boolean endsOnReplySide = slots.size() % 2 == 0;
        if (!orderReported && endsOnReplySide != endsWithReply) {
            TurnSlot last = slots.get(slots.size() - 1);
            problems.add(listField, endsWithReply
                    ? "the last turn must be a reply (" + side(true, names) + "), got '" + last.roleName() + "'"
                    : "the prompt must end on the user side (" + side(false, names) + "), got '"
                      + last.roleName() + "'");
        }
        return turns;
    }

    private static String side(boolean reply, Map<Role, String> names) {
        return reply
                ? "'" + names.get(Role.ASSISTANT) + "' or '" + names.get(Role.FUNCTION_CALL) + "'"
                : "'" + names.get(Role.USER) + "' or '" + names.get(Role.OBSERVATION) + "'";
    }
}

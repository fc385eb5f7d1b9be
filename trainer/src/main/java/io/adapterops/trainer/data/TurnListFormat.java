package io.adapterops.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Rows holding a list of turns: ShareGPT ({@code conversations} of {@code from}/{@code value}) and
 * OpenAI ({@code messages} of {@code role}/{@code content}). A leading system turn becomes the
 * system prompt; preference rows add {@code chosen} and {@code rejected}, each a reply turn or a
 * plain string.
 */
final class TurnListFormat implements RowFormat {
    static final TurnListFormat SHAREGPT = new TurnListFormat("conversations", "from", "value",
            Map.of("human", Role.USER, "gpt", Role.ASSISTANT,
                    "function_call", Role.FUNCTION_CALL, "observation", Role.OBSERVATION));
    static final TurnListFormat MESSAGES = new TurnListFormat("messages", "role", "content",
            Map.of("user", Role.USER, "assistant", Role.ASSISTANT,
                    "function_call", Role.FUNCTION_CALL, "tool", Role.OBSERVATION));

    private final String listField;
    private final String roleKey;
    private final String contentKey;
    private final Map<String, Role> roles;
    private final Map<Role, String> names;

    private TurnListFormat(String listField, String roleKey, String contentKey, Map<String, Role> roles) {
        this.listField = listField;
        this.roleKey = roleKey;
        this.contentKey = contentKey;
        this.roles = roles;
        this.names = roles.entrySet().stream().collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
    }

    Map<Role, String> names() {
        return names;
    }

    @Override
    public Example parse(JsonNode row, DatasetKind kind, String category, RowProblems problems) {
        String system = JsonFields.optional(row, "system", "system", problems);
        String tools = JsonFields.tools(row);
        JsonNode list = row.get(listField);
        if (list == null || list.isNull()) {
            problems.add(listField, "missing field");
            return null;
        }
        if (!list.isArray()) {
            problems.add(listField, "expected an array of turns");
            return null;
        }
        List<TurnSlot> slots = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = listField + "[" + i + "]";
            JsonNode turn = list.get(i);
            if (!turn.isObject()) {
                problems.add(path, "expected an object with '" + roleKey + "' and '" + contentKey + "'");
                continue;
            }
            String roleName = JsonFields.required(turn, roleKey, path + "." + roleKey, problems);
            String content = JsonFields.required(turn, contentKey, path + "." + contentKey, problems);
            if ("system".equals(roleName) && i == 0) {
                system = content;
                continue;
            }
            Role role = roleName == null ? null : roles.get(roleName);
            if (roleName != null && role == null) {
                problems.add(path + "." + roleKey, "unknown role '" + roleName + "', expected one of "
                        + String.join(", ", roles.keySet().stream().sorted().toList())
                        + " (or system, first only)");
            }
            slots.add(new TurnSlot(path + "." + roleKey, path + "." + contentKey, roleName, role, content));
        }
        boolean sft = kind == DatasetKind.SFT;
        Conversation conversation = new Conversation(system, tools,
                TurnOrder.check(slots, names, sft, listField, problems), category);
        if (sft) {
            return problems.isEmpty() ? conversation : null;
        }
        String chosen = reply(row, "chosen", problems);
        String rejected = reply(row, "rejected", problems);
        return Replies.pair(conversation, chosen, rejected, "chosen", "rejected", problems);
    }

    private String reply(JsonNode row, String field, RowProblems problems) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            problems.add(field, "missing field");
            return null;
        }
        if (!v.isObject()) {
            return JsonFields.text(v, field, problems);
        }
        String roleName = JsonFields.required(v, roleKey, field + "." + roleKey, problems);
        Role role = roleName == null ? null : roles.get(roleName);
        if (roleName != null && (role == null || !role.isReply())) {
            problems.add(field + "." + roleKey, "expected '" + names.get(Role.ASSISTANT) + "', got '" + roleName + "'");
        }
        return JsonFields.required(v, contentKey, field + "." + contentKey, problems);
    }
}

package io.adapterops.trainer;

import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.TextTokenizer;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Renders rows through the model's chat template and tokenizes them with a loss mask. A reply's
 * span is found from the template itself: the text of the conversation up to that reply with the
 * generation prompt is a prefix of the text including it, and the difference is the reply plus
 * its end-of-turn marker. Each span is tokenized on its own, so a prompt tokenizes exactly as
 * {@code Generator} tokenizes it at inference time.
 *
 * <p>Roles map to template roles: the system prompt (with the tool schema appended) is
 * {@code system}, user turns {@code user}, replies and function calls {@code assistant} (trained),
 * tool results {@code tool}. With the Alpaca template nothing marks the end of a reply, so a model
 * trained with it stops on the {@code ### Instruction:} stop string, not on EOS.
 */
public final class ChatEncoder {

    private final ChatTemplate template;
    private final TextTokenizer tokenizer;

    public ChatEncoder(ChatTemplate template, TextTokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
    }

    public ChatTemplate template() {
        return template;
    }

    /** Every reply of the conversation trained, everything else masked. */
    public Sequence encode(Conversation c) {
        List<ChatTemplate.Message> messages = messages(c);
        String full = template.render(messages, false);
        List<int[]> parts = new ArrayList<>();
        List<Boolean> trainedParts = new ArrayList<>();
        int cursor = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) {
                continue;
            }
            int start = prefix(full, template.render(messages.subList(0, i), true));
            int end = prefix(full, template.render(messages.subList(0, i + 1), false));
            add(parts, trainedParts, full.substring(cursor, start), false);
            add(parts, trainedParts, full.substring(start, end), true);
            cursor = end;
        }
        add(parts, trainedParts, full.substring(cursor), false);
        return join(parts, trainedParts);
    }

    /** The prompt (masked), then {@code reply} (trained). */
    public Sequence encode(Conversation prompt, String reply) {
        List<ChatTemplate.Message> messages = messages(prompt);
        String head = template.render(messages, true);
        messages.add(new ChatTemplate.Message("assistant", reply));
        String full = template.render(messages, false);
        prefix(full, head);
        List<int[]> parts = new ArrayList<>();
        List<Boolean> trainedParts = new ArrayList<>();
        add(parts, trainedParts, head, false);
        add(parts, trainedParts, full.substring(head.length()), true);
        return join(parts, trainedParts);
    }

    /** The chosen and the rejected sequence of a preference pair. */
    public Sequence[] encode(PreferencePair p) {
        return new Sequence[] {encode(p.prompt(), p.chosen()), encode(p.prompt(), p.rejected())};
    }

    /** The prompt as the model sees it at inference time, ending where the reply starts. */
    public String prompt(Conversation c) {
        return template.render(messages(c), true);
    }

    static List<ChatTemplate.Message> messages(Conversation c) {
        List<ChatTemplate.Message> out = new ArrayList<>();
        String system = c.system();
        if (c.tools() != null) {
            system = (system == null ? "" : system + "\n\n") + "Tools:\n" + c.tools();
        }
        if (system != null) {
            out.add(new ChatTemplate.Message("system", system));
        }
        for (Turn t : c.turns()) {
            out.add(new ChatTemplate.Message(role(t.role()), t.content()));
        }
        return out;
    }

    private static String role(Role r) {
        return switch (r) {
            case USER -> "user";
            case ASSISTANT, FUNCTION_CALL -> "assistant";
            case OBSERVATION -> "tool";
        };
    }

    private int prefix(String full, String head) {
        if (!full.startsWith(head)) {
            throw new IllegalStateException("chat template " + template + " does not render a conversation as a "
                    + "prefix of its continuation; cannot find the reply spans");
        }
        return head.length();
    }

    private void add(List<int[]> parts, List<Boolean> trained, String text, boolean isTrained) {
        if (!text.isEmpty()) {
            parts.add(tokenizer.encode(text));
            trained.add(isTrained);
        }
    }

    private static Sequence join(List<int[]> parts, List<Boolean> trainedParts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        int[] ids = new int[n];
        boolean[] trained = new boolean[n];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            int[] p = parts.get(i);
            System.arraycopy(p, 0, ids, at, p.length);
            if (trainedParts.get(i)) {
                Arrays.fill(trained, at, at + p.length, true);
            }
            at += p.length;
        }
        return new Sequence(ids, trained);
    }
}

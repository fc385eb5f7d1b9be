package io.adapterops.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A supervised fine-tuning row: an optional system prompt and tool schema, then turns that start
 * with the user and alternate user side / assistant side. As an SFT example it ends with a reply;
 * as the prompt of a {@link PreferencePair} it ends with a user turn.
 */
public record Conversation(String system, String tools, List<Turn> turns, String category)
        implements Example {

    public Conversation {
        turns = List.copyOf(Objects.requireNonNull(turns, "turns"));
    }

    @Override
    public List<String> targets() {
        return turns.stream().filter(t -> t.role().isReply()).map(Turn::content).toList();
    }

    @Override
    public String lastPrompt() {
        for (int i = turns.size() - 1; i >= 0; i--) {
            if (turns.get(i).role() == Role.USER) {
                return turns.get(i).content();
            }
        }
        return "";
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        if (system != null) {
            sb.append("system: ").append(system).append('\n');
        }
        if (tools != null) {
            sb.append("tools: ").append(tools).append('\n');
        }
        for (Turn t : turns) {
            sb.append(t.role().name().toLowerCase()).append(": ").append(t.content()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public Conversation mapText(UnaryOperator<String> f) {
        return map(f, f, r -> true);
    }

    @Override
    public Conversation mapTargets(UnaryOperator<String> f) {
        return map(UnaryOperator.identity(), f, Role::isReply);
    }

    private Conversation map(UnaryOperator<String> header, UnaryOperator<String> turn,
                             Predicate<Role> which) {
        List<Turn> mapped = new ArrayList<>(turns.size());
        for (Turn t : turns) {
            mapped.add(which.test(t.role()) ? new Turn(t.role(), turn.apply(t.content())) : t);
        }
        return new Conversation(system == null ? null : header.apply(system),
                tools == null ? null : header.apply(tools), mapped, category);
    }
}

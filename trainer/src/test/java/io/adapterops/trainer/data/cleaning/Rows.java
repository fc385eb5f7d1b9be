package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;

import java.util.List;

/** Test rows. */
final class Rows {
    private Rows() {
    }

    static Conversation qa(String question, String answer) {
        return qa(question, answer, null);
    }

    static Conversation qa(String question, String answer, String category) {
        return new Conversation(null, null, List.of(new Turn(Role.USER, question), new Turn(Role.ASSISTANT, answer)),
                category);
    }

    static PreferencePair pair(String prompt, String chosen, String rejected) {
        return new PreferencePair(new Conversation(null, null, List.of(new Turn(Role.USER, prompt)), null),
                chosen, rejected);
    }

    static String answer(Example e) {
        return e.targets().get(0);
    }

    static CleaningResult clean(CleaningConfig config, List<? extends Example> rows) {
        return new CleaningPipeline(config).clean(List.copyOf(rows));
    }
}

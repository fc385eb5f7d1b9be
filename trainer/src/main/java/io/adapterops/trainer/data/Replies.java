package io.adapterops.trainer.data;

/** The checks on the two replies of a preference row, common to all formats. */
final class Replies {
    private Replies() {
    }

    static PreferencePair pair(Conversation prompt, String chosen, String rejected,
                               String chosenField, String rejectedField, RowProblems problems) {
        if (JsonFields.isBlank(chosen)) {
            problems.add(chosenField, "empty reply");
        }
        if (JsonFields.isBlank(rejected)) {
            problems.add(rejectedField, "empty reply");
        }
        if (chosen != null && rejected != null && !chosen.isBlank() && squash(chosen).equals(squash(rejected))) {
            problems.add(rejectedField, "same as '" + chosenField + "': a pair must prefer one reply over another");
        }
        return problems.isEmpty() ? new PreferencePair(prompt, chosen, rejected) : null;
    }

    private static String squash(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }
}

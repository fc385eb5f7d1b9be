package io.adapterops.trainer.data.cleaning;

/** How many final replies refuse, and how many harmful-looking prompts get a refusal. */
public record RefusalStats(int rows, int refusals, double refusalShare, int harmfulPrompts,
                           int harmfulPromptsRefused) {

    /** The warning a user should see, or null. */
    String warning() {
        if (harmfulPrompts > 0 && harmfulPromptsRefused == 0) {
            return harmfulPrompts + " prompt(s) look harmful and none is answered with a refusal:"
                   + " the model would learn to comply with such requests";
        }
        return null;
    }
}

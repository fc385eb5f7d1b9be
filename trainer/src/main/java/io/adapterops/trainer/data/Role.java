package io.adapterops.trainer.data;

/** Who speaks a turn. System prompts and tool schemas live on {@link Conversation}, not in turns. */
public enum Role {
    USER,
    ASSISTANT,
    /** The assistant asks for a tool call; its content is the call, usually JSON. */
    FUNCTION_CALL,
    /** A tool's answer, fed back to the assistant. */
    OBSERVATION;

    /** Turns the model is trained to produce. */
    public boolean isReply() {
        return this == ASSISTANT || this == FUNCTION_CALL;
    }
}

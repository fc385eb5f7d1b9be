package io.adapterops.llm;

/**
 * An adapter that cannot run on the loaded base model (other base, other sizes, a module the base
 * lacks, unreadable files); the message names the adapter and the base side by side.
 */
public class AdapterIncompatibleException extends IllegalArgumentException {

    public AdapterIncompatibleException(String message) {
        super(message);
    }

    public AdapterIncompatibleException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.adapterops.llm;

/** A request named an adapter the engine does not know (never registered, or unloaded). */
public class UnknownAdapterException extends IllegalArgumentException {

    public UnknownAdapterException(String message) {
        super(message);
    }
}

package io.adapterops.llm;

/**
 * The engine cannot take a request now: its waiting queue, its KV-cache budget or its adapter
 * cache is full. Nothing was started; the same request may succeed later (HTTP 429/503).
 */
public class EngineOverloadedException extends RuntimeException {

    public EngineOverloadedException(String message) {
        super(message);
    }
}

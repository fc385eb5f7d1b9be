package io.adapterops.llm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A submitted request: its tokens as they come, then its result. Any thread may read or cancel it;
 * a cancelled request leaves the batch at the next step boundary and ends with finish reason
 * {@code CANCELLED} and the text generated so far.
 */
public final class GenerationHandle {

    /** One generated token; {@code text} is the newly safe-to-show text (may be empty). */
    public record Token(int tokenId, String text, boolean last) {
    }

    private static final Object END = new Object();

    private final long id;
    private final long submittedAt = System.nanoTime();
    private final LinkedBlockingQueue<Object> stream = new LinkedBlockingQueue<>();
    private final CompletableFuture<EngineResult> result = new CompletableFuture<>();
    private volatile boolean cancelled;
    private boolean ended; // reader side only

    GenerationHandle(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }

    long submittedAt() {
        return submittedAt;
    }

    /** Asks the engine to stop this request; harmless when it has already ended. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public CompletableFuture<EngineResult> result() {
        return result;
    }

    /** Waits for the result; the engine's exception (if the request failed) is rethrown unwrapped. */
    public EngineResult await(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        try {
            return result.get(timeout, unit);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        }
    }

    /** The next token, waiting for it; null once the stream has ended (after the last token, or on failure). */
    public synchronized Token next() throws InterruptedException {
        if (ended) {
            return null;
        }
        Object o = stream.take();
        if (o == END) {
            ended = true;
            return null;
        }
        return (Token) o;
    }

    void emit(Token t) {
        stream.add(t);
    }

    void complete(EngineResult r) {
        stream.add(END);
        result.complete(r);
    }

    void fail(Throwable t) {
        stream.add(END);
        result.completeExceptionally(t);
    }

    boolean isDone() {
        return result.isDone();
    }
}

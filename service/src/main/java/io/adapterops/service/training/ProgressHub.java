package io.adapterops.service.training;

import io.adapterops.trainer.Progress;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Live progress of running jobs for this replica: the latest event, the subscribers of the SSE
 * stream, and the cancel flag the trainer polls between steps.
 */
@Singleton
public class ProgressHub {
    /** A progress event, or the end of the stream (progress null, status final). */
    public record Update(long jobId, Progress progress, String status) {
    }

    private final Map<Long, Update> latest = new ConcurrentHashMap<>();
    private final Map<Long, Set<Consumer<Update>>> listeners = new ConcurrentHashMap<>();
    private final Set<Long> cancelled = ConcurrentHashMap.newKeySet();

    public void publish(Update update) {
        latest.put(update.jobId(), update);
        listeners.getOrDefault(update.jobId(), Set.of()).forEach(l -> l.accept(update));
    }

    public Optional<Update> latest(long jobId) {
        return Optional.ofNullable(latest.get(jobId));
    }

    public Runnable subscribe(long jobId, Consumer<Update> listener) {
        listeners.computeIfAbsent(jobId, id -> new CopyOnWriteArraySet<>()).add(listener);
        return () -> listeners.getOrDefault(jobId, Set.of()).remove(listener);
    }

    public void cancel(long jobId) {
        cancelled.add(jobId);
    }

    public boolean isCancelled(long jobId) {
        return cancelled.contains(jobId);
    }

    public void finished(long jobId, String status) {
        publish(new Update(jobId, null, status));
        cancelled.remove(jobId);
        listeners.remove(jobId);
    }
}

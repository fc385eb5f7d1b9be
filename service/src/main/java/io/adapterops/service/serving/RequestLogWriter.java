package io.adapterops.service.serving;

import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes the request log off the answer's path: a request's row is queued as it ends and one thread
 * writes whatever has queued in one transaction, so an answer never waits for an insert and a commit
 * is shared by every request that ended meanwhile. The thread lingers a moment after the first row
 * ({@code adapterops.serving.request-log.linger}) so its commit does not take a core while that
 * answer is still being written out (on two cores it added 0.3 ms to the answer at the median), and
 * more rows share it; a {@link #flush} cuts the linger short. {@link #flush} waits for what this
 * replica has queued (feedback and the log's API read their own writes); a full queue, or a stopped
 * writer, writes on the caller's thread rather than lose the row. The service stopping writes what is
 * queued.
 */
@Singleton
public class RequestLogWriter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLogWriter.class);
    static final int CAPACITY = 10_000;
    private static final int BATCH = 500;

    private final RequestLog log;
    private final long lingerNanos;
    private final BlockingQueue<LoggedRequest> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private long queued;  // rows offered to the queue, guarded by this
    private long written; // rows the thread has finished with (written or failed), guarded by this
    private int flushing; // callers waiting in flush, guarded by this
    private volatile boolean stopping;

    public RequestLogWriter(RequestLog log,
                            @Value("${adapterops.serving.request-log.linger:20ms}") Duration linger) {
        if (linger.isNegative()) {
            throw new IllegalArgumentException("adapterops.serving.request-log.linger must not be negative, got "
                    + linger);
        }
        this.log = log;
        this.lingerNanos = linger.toNanos();
        this.thread = new Thread(this::run, "request-log-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues the row of a request that has ended. */
    public void write(LoggedRequest row) {
        synchronized (this) {
            if (!stopping && queue.offer(row)) {
                queued++;
                return;
            }
        }
        writeNow(List.of(row));
    }

    /** Returns once every row this replica queued before the call is written (at most {@code timeoutMs}). */
    public synchronized void flush(long timeoutMs) {
        long target = queued;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        flushing++;
        notifyAll();
        try {
            while (written < target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warn("request log: {} queued rows not written after {} ms", target - written, timeoutMs);
                    return;
                }
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flushing--;
        }
    }

    /** Waits up to the linger for more rows, unless someone waits for the rows or the service stops. */
    private synchronized void linger() throws InterruptedException {
        long end = System.nanoTime() + lingerNanos;
        long left;
        while (flushing == 0 && !stopping && (left = end - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private void run() {
        List<LoggedRequest> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                LoggedRequest first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                linger();
                queue.drainTo(batch, BATCH - 1);
                writeNow(batch);
                synchronized (this) {
                    written += batch.size();
                    notifyAll();
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void writeNow(List<LoggedRequest> rows) {
        try {
            log.writeAll(rows);
        } catch (RuntimeException e) {
            LOG.error("{} request(s) were answered but could not be written to the request log: {}", rows.size(),
                    rows.stream().map(LoggedRequest::id).limit(20).toList(), e);
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}

package io.adapterops.service.serving;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request log's writer thread: it lingers before a commit, shares it, and a flush cuts the wait. */
class RequestLogWriterTest {

    /** Records each commit (its rows and when it happened) instead of writing to a database. */
    private static final class Commits extends RequestLog {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final List<Long> at = new CopyOnWriteArrayList<>();

        Commits() {
            super(null, null);
        }

        @Override
        public void writeAll(List<LoggedRequest> rows) {
            at.add(System.nanoTime());
            batches.add(rows.stream().map(LoggedRequest::id).toList());
        }
    }

    private static LoggedRequest row(String id) {
        return new LoggedRequest(id, null, "r", "a", 1, "champion", "completions", "app", null, "ok", "stop", 3, 4,
                10.0, 5.0, false, false, null, null, Instant.now(), null, null);
    }

    @Test
    void requestsEndingWithinTheLingerShareOneCommitMadeAfterIt() throws Exception {
        Commits commits = new Commits();
        RequestLogWriter writer = new RequestLogWriter(commits, Duration.ofMillis(300));
        try {
            long first = System.nanoTime();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add("cmpl-" + i);
                writer.write(row("cmpl-" + i));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (commits.batches.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            double afterMs = (commits.at.get(0) - first) / 1e6;
            System.out.printf("request log writer: %d commit(s) %s, the first %.0f ms after the first row (linger 300 ms)%n",
                    commits.batches.size(), commits.batches, afterMs);
            assertEquals(List.of(ids), commits.batches, "five rows queued together, one commit");
            assertTrue(afterMs >= 250, "the commit waited for the linger, came after " + afterMs + " ms");
        } finally {
            writer.stop();
        }
    }

    @Test
    void aFlushCutsTheLingerShortAndWaitsForTheRows() throws Exception {
        Commits commits = new Commits();
        double ms = millisToWriteOneRow(commits, "cmpl-a", w -> w.flush(10_000));
        System.out.printf("request log writer: flush returned after %.1f ms with %s written (linger 30 s)%n", ms,
                commits.batches);
        assertEquals(List.of(List.of("cmpl-a")), commits.batches, "the flush returns once the row is written");
        assertTrue(ms < 5_000, "a flush does not wait out the 30 s linger, took " + ms + " ms");
    }

    @Test
    void stoppingWritesWhatIsQueuedWithoutWaitingOutTheLinger() throws Exception {
        Commits commits = new Commits();
        double ms = millisToWriteOneRow(commits, "cmpl-b", RequestLogWriter::stop);
        assertEquals(List.of(List.of("cmpl-b")), commits.batches, "the queued row is written on stop");
        assertTrue(ms < 5_000, "stopping does not wait out the linger, took " + ms + " ms");
    }

    private interface Cut {
        void apply(RequestLogWriter writer) throws Exception;
    }

    /** Queues one row on a writer that lingers 30 s, then times {@code cut}, which should end the wait. */
    private static double millisToWriteOneRow(Commits commits, String id, Cut cut) throws Exception {
        RequestLogWriter writer = new RequestLogWriter(commits, Duration.ofSeconds(30));
        try {
            writer.write(row(id));
            long start = System.nanoTime();
            cut.apply(writer);
            return (System.nanoTime() - start) / 1e6;
        } finally {
            writer.stop();
        }
    }

    @Test
    void aNegativeLingerIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RequestLogWriter(new Commits(), Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("adapterops.serving.request-log.linger"), e.getMessage());
    }
}

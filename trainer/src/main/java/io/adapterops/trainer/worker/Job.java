package io.adapterops.trainer.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.trainer.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One job as the worker keeps it: its folder ({@code job.json} spec, {@code dataset.jsonl},
 * {@code status.json}, and the trainer's {@code checkpoints/} and {@code adapter/}), its status,
 * and the progress events seen by this process (streamed to SSE clients). Status is written to
 * disk on every change and every step (a few hundred bytes), so a restarted worker knows
 * which jobs were queued or running and how far they got.
 */
final class Job {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final Path dir;
    private final List<Progress> events = new ArrayList<>();
    private JobStatus status;
    private String error;
    private JsonNode last; // the last progress as JSON, or null
    private volatile boolean cancelRequested;

    Job(String id, Path dir, JobStatus status, String error, JsonNode last) {
        this.id = id;
        this.dir = dir;
        this.status = status;
        this.error = error;
        this.last = last;
    }

    /** Reads a job folder written by an earlier worker process. */
    static Job load(Path dir) throws IOException {
        JsonNode s = JSON.readTree(dir.resolve("status.json").toFile());
        return new Job(dir.getFileName().toString(), dir, JobStatus.valueOf(s.path("status").asText()),
                s.path("error").isTextual() ? s.get("error").asText() : null,
                s.path("progress").isObject() ? s.get("progress") : null);
    }

    String id() {
        return id;
    }

    Path dir() {
        return dir;
    }

    JsonNode spec() throws IOException {
        return JSON.readTree(dir.resolve("job.json").toFile());
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    synchronized JobStatus status() {
        return status;
    }

    synchronized void setStatus(JobStatus next, String why) {
        status = next;
        error = why;
        persist();
        notifyAll();
    }

    synchronized void progress(Progress p) {
        last = ProgressJson.of(p);
        events.add(p);
        persist();
        notifyAll();
    }

    /** Events from index {@code from}, waiting up to {@code millis} for one when there are none. */
    synchronized List<Progress> eventsFrom(int from, long millis) throws InterruptedException {
        if (events.size() <= from && !status.terminal()) {
            wait(millis);
        }
        return events.size() > from ? new ArrayList<>(events.subList(from, events.size())) : List.of();
    }

    synchronized ObjectNode view() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("status", status.name());
        if (error != null) {
            n.put("error", error);
        }
        if (last != null) {
            n.set("progress", last);
        }
        return n;
    }

    private void persist() {
        try {
            ObjectNode n = JSON.createObjectNode();
            n.put("status", status.name());
            if (error != null) {
                n.put("error", error);
            }
            if (last != null) {
                n.set("progress", last);
            }
            Path tmp = dir.resolve("status.json.tmp");
            JSON.writeValue(tmp.toFile(), n);
            Files.move(tmp, dir.resolve("status.json"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record status of job " + id, e);
        }
    }
}

package io.adapterops.trainer.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.trainer.Trainer;
import io.adapterops.trainer.TrainingConfig;
import io.adapterops.trainer.TrainingRequest;
import io.adapterops.trainer.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Runs jobs one at a time (one GPU, and PyTorch allows one gradient collector per process) in
 * submission order. Jobs live under {@code dataDir/jobs/<id>/}; ids sort by submission time. On
 * start, jobs an earlier process left QUEUED or RUNNING are queued again in that order, and the
 * trainer resumes each from its newest checkpoint. Stopping the queue interrupts the running job
 * at its next step and leaves it RUNNING on disk, so the next process resumes it.
 */
final class JobQueue implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path jobsDir;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Trainer trainer = new Trainer();
    private final Thread runner;
    private volatile boolean stopping;

    JobQueue(Path dataDir) throws IOException {
        this.jobsDir = dataDir.resolve("jobs");
        Files.createDirectories(jobsDir);
        List<Path> dirs;
        try (Stream<Path> s = Files.list(jobsDir)) {
            dirs = s.filter(p -> Files.isRegularFile(p.resolve("status.json")))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (Path d : dirs) {
            Job j = Job.load(d);
            jobs.put(j.id(), j);
            if (!j.status().terminal()) {
                j.setStatus(JobStatus.QUEUED, null);
                queue.add(j);
            }
        }
        runner = new Thread(this::runLoop, "trainer-worker");
        runner.start();
    }

    /**
     * Records a job: its spec and dataset go to its folder before it is queued.
     *
     * @param spec base_model, config, dataset_hash (already validated)
     */
    synchronized Job submit(ObjectNode spec, byte[] dataset) throws IOException {
        String id = String.format("job-%013d-%04d", System.currentTimeMillis(), SEQUENCE.incrementAndGet() % 10_000);
        Path dir = jobsDir.resolve(id);
        Files.createDirectories(dir);
        Files.write(dir.resolve("dataset.jsonl"), dataset);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("job.json").toFile(), spec);
        Job j = new Job(id, dir, JobStatus.QUEUED, null, null);
        j.setStatus(JobStatus.QUEUED, null);
        jobs.put(id, j);
        queue.add(j);
        return j;
    }

    synchronized Job get(String id) {
        return jobs.get(id);
    }

    synchronized Collection<Job> all() {
        return new ArrayList<>(jobs.values());
    }

    /** A queued job is cancelled at once; a running one at its next step. */
    void cancel(Job j) {
        j.requestCancel();
        if (queue.remove(j)) {
            j.setStatus(JobStatus.CANCELLED, null);
        }
    }

    private void runLoop() {
        while (!stopping) {
            Job j;
            try {
                j = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (j != null) {
                run(j);
            }
        }
    }

    private void run(Job j) {
        if (j.cancelRequested()) {
            j.setStatus(JobStatus.CANCELLED, null);
            return;
        }
        j.setStatus(JobStatus.RUNNING, null);
        try {
            JsonNode spec = j.spec();
            @SuppressWarnings("unchecked")
            Map<String, Object> config = JSON.convertValue(spec.path("config"), Map.class);
            TrainingRequest req = new TrainingRequest(Path.of(spec.get("base_model").asText()),
                    j.dir().resolve("dataset.jsonl"), j.dir(), TrainingConfig.fromMap(config),
                    spec.path("dataset_hash").isTextual() ? spec.get("dataset_hash").asText() : null);
            TrainingResult r = trainer.train(req, j::progress, () -> j.cancelRequested() || stopping);
            if (!r.cancelled()) {
                j.setStatus(JobStatus.SUCCEEDED, null);
            } else if (j.cancelRequested()) {
                j.setStatus(JobStatus.CANCELLED, null);
            } // else: the worker is stopping; the job stays RUNNING on disk and resumes next start
        } catch (RuntimeException | IOException e) {
            j.setStatus(JobStatus.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        runner.join(TimeUnit.MINUTES.toMillis(2));
    }
}

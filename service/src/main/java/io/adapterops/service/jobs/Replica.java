package io.adapterops.service.jobs;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This replica's name as job owner, and how long a claim on a job lasts without a heartbeat. The
 * default name (host and port) is stable across restarts, so a restarted replica takes its own
 * interrupted jobs back at once instead of waiting for their leases to run out.
 */
@Singleton
public class Replica {
    private final String id;
    private final Duration lease;

    public Replica(@Value("${adapterops.replica-id:}") String configured,
                   @Value("${micronaut.server.port:8080}") int port,
                   @Value("${adapterops.jobs.lease:30s}") Duration lease) {
        String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        this.id = configured.isBlank() ? host + ":" + port : configured;
        this.lease = lease;
    }

    public String id() {
        return id;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * Runs {@code beat} every third of the lease on a daemon thread named {@code thread}, so a claim is
     * renewed twice before it could lapse; the caller shuts the executor down when it stops.
     */
    public ScheduledExecutorService heartbeat(String thread, Runnable beat) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(100, lease.toMillis() / 3);
        executor.scheduleWithFixedDelay(beat, tick, tick, TimeUnit.MILLISECONDS);
        return executor;
    }
}

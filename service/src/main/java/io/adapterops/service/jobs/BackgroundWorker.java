package io.adapterops.service.jobs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One named daemon thread with a queue: training and evaluation each run one job at a time (one
 * PyTorch gradient collector per JVM; one model load at a time), and never keep the JVM alive.
 */
public final class BackgroundWorker {
    private BackgroundWorker() {
    }

    public static ExecutorService named(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}

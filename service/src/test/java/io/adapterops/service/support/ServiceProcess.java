package io.adapterops.service.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as a user starts it: its own JVM, in a working directory of the test's choosing, with
 * the defaults of {@code application.yml} (so {@code ./data}, relative) unless the test's environment
 * overrides them. Unlike an in-process server, it can be killed with SIGKILL mid-job.
 */
public final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the service in {@code workDir} and waits until it answers {@code /health}. */
    public static ServiceProcess start(Path workDir, Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile(workDir, "service-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "io.adapterops.service.Application"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ADAPTEROPS_PORT", String.valueOf(port));
        pb.environment().put("ADAPTEROPS_ADMIN_TOKEN", TestServer.ADMIN_TOKEN);
        pb.environment().putAll(env);
        ServiceProcess service = new ServiceProcess(pb.start(), port, log);
        service.awaitHealthy();
        return service;
    }

    private void awaitHealthy() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 1200; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url("/health"))).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the service did not answer /health in 120 s:\n" + output());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** What the service printed so far (for failure messages). */
    public String output() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no graceful stop, as when a host dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}

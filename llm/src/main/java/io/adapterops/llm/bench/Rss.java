package io.adapterops.llm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process, from /proc (Linux); -1 where /proc is absent. */
public final class Rss {

    private Rss() {
    }

    /** Current resident memory in bytes. */
    public static long current() {
        return field("VmRSS:");
    }

    /** Peak resident memory in bytes. */
    public static long peak() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

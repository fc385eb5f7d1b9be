package io.adapterops.trainer;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free memory of a device: CUDA's free memory on a GPU; on the CPU, MemAvailable from
 * /proc/meminfo, capped by the cgroup v2 limit when the process runs in a container (where
 * /proc/meminfo shows the host).
 */
final class FreeMemory {

    private FreeMemory() {
    }

    static long of(Device device) {
        if (device.isGpu()) {
            MemoryUsage u = CudaUtils.getGpuMemory(device);
            return u.getMax() - u.getUsed();
        }
        long available = meminfo();
        long limit = number(Path.of("/sys/fs/cgroup/memory.max"));
        long used = number(Path.of("/sys/fs/cgroup/memory.current"));
        return limit > 0 && used >= 0 ? Math.min(available, limit - used) : available;
    }

    private static long meminfo() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the JVM's view below
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getFreeMemorySize();
    }

    /** A file holding one number; -1 when absent or "max" (no limit). */
    private static long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

package io.adapterops.trainer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adapterops.llm.bench.Rss;
import io.adapterops.trainer.data.ReadOptions;
import io.adapterops.trainer.data.cleaning.CleanedFile;
import io.adapterops.trainer.data.cleaning.CleaningConfig;
import io.adapterops.trainer.data.cleaning.CleaningReport;
import io.adapterops.trainer.data.cleaning.FileCleaner;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Validating and cleaning at size: rows/s and peak RSS for 10k, 100k and 1M rows of natural text
 * (the shipped helpdesk rows, recombined so rows differ) and of templated rows (one template, random
 * fields: every row shares most of its shingles with every other, the case that made near-duplicate
 * removal quadratic). Each size runs in a fresh JVM, so each peak RSS is that size's own; the child
 * JVMs get {@code BENCH_JAVA_OPTS} (default {@code -Xmx1200m}). Time covers what an upload's job does
 * with the stored file ({@link FileCleaner}: reading and validating, the whole cleaning pipeline,
 * writing the cleaned rows), not generating it. The exponent fitted over the
 * sizes (time ∝ rows^e) is printed per kind: 1 is linear. The process's CPU time (generation of
 * the file and JVM start included) is printed too: on a shared machine wall time is inflated by
 * other work.
 */
public final class DatasetBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("--one")) {
            one(args[1], Integer.parseInt(args[2]));
            return;
        }
        List<Integer> sizes = args.length > 0 ? List.of(args[0].split(",")).stream().map(Integer::parseInt).toList()
                : List.of(10_000, 100_000, 1_000_000);
        String opts = System.getenv().getOrDefault("BENCH_JAVA_OPTS", "-Xmx1200m");
        System.out.printf("JVM options %s, %d cores%n", opts, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-9s %9s %8s %9s %10s %9s %10s %12s%n", "rows", "kind", "kept", "seconds", "rows/s",
                "peak MiB", "file MiB", "process CPU s");
        for (String kind : List.of("natural", "templated")) {
            List<double[]> points = new ArrayList<>();
            for (int rows : sizes) {
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(List.of(opts.trim().split("\\s+")));
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DatasetBench.class.getName(),
                        "--one", kind, String.valueOf(rows)));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String result = null;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("RESULT ")) {
                            result = line.substring(7);
                        } else {
                            System.out.println("  " + line);
                        }
                    }
                }
                if (p.waitFor() != 0 || result == null) {
                    System.out.printf("%-9d %9s failed (exit %d)%n", rows, kind, p.exitValue());
                    continue;
                }
                String[] f = result.split(" ");
                double seconds = Double.parseDouble(f[1]);
                System.out.printf("%-9d %9s %8s %9.1f %,10.0f %9s %10s %12s%n", rows, kind, f[0], seconds,
                        rows / seconds, f[2], f[3], f[4]);
                points.add(new double[]{Math.log(rows), Math.log(seconds)});
            }
            if (points.size() >= 2) {
                System.out.printf("%s: time grows as rows^%.2f%n", kind, slope(points));
            }
        }
    }

    /** Least-squares slope of log time over log rows. */
    private static double slope(List<double[]> points) {
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double num = 0;
        double den = 0;
        for (double[] p : points) {
            num += (p[0] - mx) * (p[1] - my);
            den += (p[0] - mx) * (p[0] - mx);
        }
        return num / den;
    }

    private static void one(String kind, int rows) throws IOException {
        Path file = Files.createTempFile("dataset-bench", ".jsonl");
        try {
            write(file, kind, rows);
            Path cleanedRows = Files.createTempFile("dataset-bench", ".rows");
            Path texts = Files.createTempFile("dataset-bench", ".texts");
            long start = System.nanoTime();
            long[] reportAt = {0};
            CleanedFile cleaned = new FileCleaner(ReadOptions.defaults(), CleaningConfig.defaults()).clean(file,
                    cleanedRows, texts, (step, read, fraction) -> {
                        if (step.equals("writing the report")) {
                            reportAt[0] = System.nanoTime();
                        }
                    });
            Files.deleteIfExists(cleanedRows);
            if (!cleaned.validation().accepted()) {
                throw new IllegalStateException("bench rows rejected: " + cleaned.validation().problems());
            }
            CleaningReport report = cleaned.report();
            System.out.printf("%s %d: read and cleaned in %.1f s, report in %.1f s%n", kind, rows,
                    (reportAt[0] - start) / 1e9, (System.nanoTime() - reportAt[0]) / 1e9);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
            System.out.printf("RESULT %d %.2f %d %d %.1f%n", report.rowsOut(), seconds, Rss.peak() >> 20,
                    Files.size(file) >> 20, cpu);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void write(Path file, String kind, int rows) throws IOException {
        List<JsonNode> shipped = new ArrayList<>();
        try (InputStream in = DatasetBench.class.getResourceAsStream("/datasets/it-helpdesk-sft.jsonl");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                shipped.add(JSON.readTree(line));
            }
        }
        Random random = new Random(rows);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < rows; i++) {
                ObjectNode row = kind.equals("natural") ? natural(shipped, random) : templated(random);
                w.write(JSON.writeValueAsString(row));
                w.newLine();
            }
        }
    }

    /** Two shipped questions and three shipped answers, in random combination: varied real text. */
    private static ObjectNode natural(List<JsonNode> shipped, Random random) {
        String question = pick(shipped, random, "instruction") + " " + pick(shipped, random, "instruction");
        String answer = pick(shipped, random, "output") + " " + pick(shipped, random, "output") + " "
                + pick(shipped, random, "output");
        return alpaca(question, answer);
    }

    private static String pick(List<JsonNode> shipped, Random random, String field) {
        return shipped.get(random.nextInt(shipped.size())).get(field).asText();
    }

    private static final String[] NAMES = {"Alice", "Bob", "Chen Wei", "Dara", "Emeka", "Fatima", "Giulia", "Hiro"};
    private static final String[] DEVICES = {"laptop", "phone", "tablet", "desktop", "printer", "monitor", "dock"};
    private static final String[] PROBLEMS = {"will not start", "keeps freezing", "cannot reach the VPN",
        "shows a blue screen", "lost its Wi-Fi", "runs very slowly", "will not charge", "cannot print"};

    /** One support-ticket template with random fields. */
    private static ObjectNode templated(Random random) {
        String name = NAMES[random.nextInt(NAMES.length)];
        String device = DEVICES[random.nextInt(DEVICES.length)];
        int ticket = 100000 + random.nextInt(900000);
        return alpaca("Ticket " + ticket + ": " + name + "'s " + device + " "
                        + PROBLEMS[random.nextInt(PROBLEMS.length)] + " since " + (1 + random.nextInt(28))
                        + " November. Asset tag " + Long.toString(random.nextLong(), 36) + ".",
                "Thanks " + name + ", ticket " + ticket + " is logged for your " + device
                        + ". A technician will call you within " + (1 + random.nextInt(8)) + " hours; reference "
                        + Long.toString(random.nextLong(), 36) + ".");
    }

    private static ObjectNode alpaca(String instruction, String output) {
        ObjectNode row = JSON.createObjectNode();
        row.put("instruction", instruction);
        row.put("input", "");
        row.put("output", output);
        return row;
    }
}

package io.adapterops.service.cli;

import ai.djl.ndarray.NDManager;
import io.adapterops.evaluator.report.Estimate;
import io.adapterops.evaluator.report.EvalReport;
import io.adapterops.evaluator.report.Evaluator;
import io.adapterops.evaluator.suite.Suite;
import io.adapterops.evaluator.suite.SuiteLoader;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.Generator;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./adapterops eval --model DIR [--adapter DIR] --suite NAME|FILE … [--max-new-tokens N]}:
 * runs suites against a model folder (and adapter) and prints each metric with its 95% CI.
 * Exit status: 0 done, 2 bad arguments, 1 the run failed.
 */
public final class EvalCli {
    private EvalCli() {
    }

    record Args(Path model, Path adapter, List<String> suites, int maxNewTokens) {
        static Args parse(String[] argv) {
            Path model = null;
            Path adapter = null;
            List<String> suites = new ArrayList<>();
            int maxNewTokens = 64;
            for (int i = 0; i < argv.length; i++) {
                String flag = argv[i];
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = argv[++i];
                switch (flag) {
                    case "--model" -> model = Path.of(value);
                    case "--adapter" -> adapter = Path.of(value);
                    case "--suite" -> suites.add(value);
                    case "--max-new-tokens" -> maxNewTokens = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (model == null || suites.isEmpty()) {
                throw new IllegalArgumentException("--model and at least one --suite are required");
            }
            return new Args(model, adapter, suites, maxNewTokens);
        }
    }

    public static void main(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("eval: " + e.getMessage());
            System.err.println("usage: ./adapterops eval --model DIR [--adapter DIR] --suite NAME|FILE ... "
                    + "[--max-new-tokens N]");
            System.exit(2);
            return;
        }
        try {
            run(args, System.out, System.err);
        } catch (RuntimeException e) {
            System.err.println("eval: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The table goes to {@code out}; progress, one line per case, goes to {@code progress}. */
    static void run(Args args, PrintStream out, PrintStream progress) {
        List<Suite> suites = args.suites().stream().map(s -> Files.isRegularFile(Path.of(s))
                ? SuiteLoader.load(Path.of(s)) : SuiteLoader.shipped(s.endsWith(".jsonl") ? s : s + ".jsonl")).toList();
        try (NDManager manager = Engines.newManager(); ModelFolder folder = ModelFolder.load(args.model(), manager)) {
            String adapter = null;
            if (args.adapter() != null) {
                PeftAdapter.load(args.adapter(), folder.model(), "adapter");
                adapter = "adapter";
            }
            Generator generator = new Generator(folder);
            GenerationOptions options = GenerationOptions.greedy(args.maxNewTokens()).withAdapter(adapter);
            ChatTemplate template = folder.chatTemplate();
            Evaluator evaluator = Evaluator.withDefaults();
            out.printf(Locale.ROOT, "%-22s %-26s %9s  %-21s %5s%n", "suite", "metric", "value", "95% CI", "n");
            for (int k = 0; k < suites.size(); k++) {
                Suite suite = suites.get(k);
                String label = String.format(Locale.ROOT, "suite %d/%d %s", k + 1, suites.size(), suite.name());
                progress.println(label + ": " + suite.cases().size() + " cases");
                int[] done = {0};
                long started = System.nanoTime();
                EvalReport report = evaluator.evaluate(suite, prompt -> {
                    String reply = generator.chat(List.of(new ChatTemplate.Message("user", prompt)), template,
                            options, null).text();
                    done[0]++;
                    progress.printf(Locale.ROOT, "%s: case %d/%d (%.1f s)%n", label, done[0], suite.cases().size(),
                            (System.nanoTime() - started) / 1e9);
                    return reply;
                });
                for (Estimate e : report.metrics()) {
                    out.printf(Locale.ROOT, "%-22s %-26s %9.4f  [%8.4f, %8.4f] %5d%n", report.suite(), e.metric(),
                            e.value(), e.lower(), e.upper(), e.n());
                }
            }
        }
    }
}

package io.adapterops.llm.cli;

import ai.djl.ndarray.NDManager;
import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.EngineConfig;
import io.adapterops.llm.EngineRequest;
import io.adapterops.llm.EngineResult;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationHandle;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.InferenceEngine;
import io.adapterops.llm.MergedExport;
import io.adapterops.llm.ModelFolder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./adapterops chat --model DIR [--adapter DIR] [--system TEXT] [--template NAME]
 * [--max-new-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed S]}: a terminal chat that
 * streams the answer through the {@link InferenceEngine}, with the model folder's chat template.
 *
 * <p>{@code ./adapterops export --model DIR --adapter DIR --out DIR [--shards N]}: writes the merged
 * model and checks it ({@link MergedExport}).
 */
public final class ChatCli {

    private ChatCli() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("chat") || args[0].equals("export"))) {
            System.err.println("usage: chat --model DIR [--adapter DIR] ... | export --model DIR --adapter DIR --out DIR");
            System.exit(2);
        }
        Map<String, String> o = options(args);
        try {
            if (args[0].equals("chat")) {
                chat(o, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
            } else {
                export(o, System.out);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("adapterops " + args[0] + ": " + e.getMessage());
            System.exit(1);
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    /** Reads user turns line by line until end of input; streams each answer. */
    static void chat(Map<String, String> o, BufferedReader in, PrintStream out) throws Exception {
        try (NDManager root = Engines.newManager();
             ModelFolder f = ModelFolder.load(Path.of(required(o, "model")), root)) {
            ChatTemplate template = o.containsKey("template") ? ChatTemplate.byName(o.get("template")) : f.chatTemplate();
            if (template == null) {
                throw new IllegalArgumentException(f.dir() + " has no chat template this runtime recognises; "
                        + "pass --template chatml|llama3|alpaca");
            }
            EngineConfig cfg = EngineConfig.defaults(f.dir().getFileName().toString()).withMaxBatch(4);
            try (InferenceEngine engine = new InferenceEngine(f.model(), f.tokenizer(), f.eosIds(), template, cfg)) {
                String adapter = null;
                if (o.containsKey("adapter")) {
                    adapter = "adapter";
                    engine.adapters().register(adapter, Path.of(o.get("adapter")));
                }
                GenerationOptions opts = GenerationOptions.greedy(Integer.parseInt(o.getOrDefault("max-new-tokens", "256")))
                        .withSampling(Double.parseDouble(o.getOrDefault("temperature", "0")),
                                Integer.parseInt(o.getOrDefault("top-k", "0")),
                                Double.parseDouble(o.getOrDefault("top-p", "1")),
                                Long.parseLong(o.getOrDefault("seed", "0")))
                        .withStop(List.of(template.endOfTurn()))
                        .withAdapter(adapter);
                List<ChatTemplate.Message> history = new ArrayList<>();
                if (o.containsKey("system")) {
                    history.add(new ChatTemplate.Message("system", o.get("system")));
                }
                out.println("chat with " + f.dir().getFileName() + (adapter == null ? "" : " + " + o.get("adapter"))
                        + " (" + template.name().toLowerCase() + "); end with Ctrl-D");
                while (true) {
                    out.print("> ");
                    out.flush();
                    String line = in.readLine();
                    if (line == null) {
                        out.println();
                        return;
                    }
                    if (line.isBlank()) {
                        continue;
                    }
                    history.add(new ChatTemplate.Message("user", line));
                    GenerationHandle h = engine.submit(EngineRequest.ofChat(history, opts));
                    for (GenerationHandle.Token t = h.next(); t != null; t = h.next()) {
                        out.print(t.text());
                        out.flush();
                    }
                    EngineResult r = h.await(1, TimeUnit.MINUTES);
                    out.printf("%n[%d tokens, %s, first token %d ms, %.1f tok/s]%n", r.completionTokens(),
                            r.finishReason().name().toLowerCase(), r.timeToFirstToken().toMillis(),
                            r.completionTokens() / Math.max(1e-9, r.totalTime().toNanos() / 1e9));
                    history.add(new ChatTemplate.Message("assistant", r.text()));
                }
            }
        }
    }

    static void export(Map<String, String> o, PrintStream out) throws Exception {
        try (NDManager root = Engines.newManager();
             ModelFolder f = ModelFolder.load(Path.of(required(o, "model")), root)) {
            MergedExport.Report r = MergedExport.export(f, Path.of(required(o, "adapter")), Path.of(required(o, "out")),
                    Integer.parseInt(o.getOrDefault("shards", "2")));
            out.printf("exported %s: %d safetensors shard(s) with an index, config and tokenizer files; reloaded and "
                    + "compared with base + adapter on %d tokens: max |logit| difference %.2e (limit %.0e)%n",
                    r.out(), r.shards(), r.probeTokens(), r.maxLogitDifference(), MergedExport.TOLERANCE);
        }
    }
}

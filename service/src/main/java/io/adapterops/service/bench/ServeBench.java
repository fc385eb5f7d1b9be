package io.adapterops.service.bench;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adapterops.llm.EngineRequest;
import io.adapterops.llm.EngineResult;
import io.adapterops.llm.Engines;
import io.adapterops.llm.GenerationOptions;
import io.adapterops.llm.LoraConfig;
import io.adapterops.llm.ModelFolder;
import io.adapterops.llm.PeftAdapter;
import io.adapterops.llm.TinyModels;
import io.adapterops.llm.bench.LlmBench;
import io.adapterops.service.serving.BaseModelEngines;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The serving API's cost over the engine's, on the ~20M-parameter model, in one process over real
 * HTTP: overhead per request (the client's latency minus the engine's own time from Server-Timing)
 * P50/P95 on a route without and with a shadow, through the JDK's client and over one socket
 * ({@link RawHttp}); the same one-socket overhead of a bare Netty server whose one engine thread
 * holds a core for the engine's median time ({@link NettyFloor}, what this machine gives before any
 * service code); the latency of a request refused before the engine; aggregate completion tokens/s
 * of streaming clients through HTTP against the same number of closed-loop callers of the engine
 * itself; and {@code /v1/feedback} requests/s.
 *
 * <pre>
 *   ./adapterops bench serve [--requests 200] [--clients 1,16,64] [--seconds 10] [--tokens 32] [--warmup 3000]
 * </pre>
 */
public final class ServeBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "aop_serve-bench-admin-token-000000";
    private static final String BASE = "bench-20m";
    private static final String PROMPT = "The VPN drops every hour and the helpdesk says";

    // HTTP/1.1 as curl and the OpenAI SDKs speak it: the JDK's default (HTTP/2 asked for by an h2c
    // upgrade that the server declines) added ~4 ms per request to the client's side.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String url;

    private ServeBench(String url) {
        this.url = url;
    }

    public static void main(String[] args) throws Exception {
        int requests = 200;
        int seconds = 10;
        int tokens = 32;
        int warmup = 3000;
        List<Integer> clients = List.of(1, 16, 64);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--tokens" -> tokens = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--clients" -> clients = Stream.of(args[i + 1].split(",")).map(Integer::valueOf).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path data = Files.createTempDirectory("serve-bench");
        TinyModels.write(data.resolve("models").resolve(BASE), LlmBench.twentyMillion(), 1);
        Map<String, Object> p = new HashMap<>();
        p.put("adapterops.data-dir", data.toString());
        p.put("adapterops.admin-token", ADMIN);
        p.put("micronaut.server.port", -1);
        p.put("adapterops.serving.engine.max-batch", 64);
        p.put("adapterops.serving.engine.max-waiting", 256);
        p.put("adapterops.serving.engine.kv-budget-mb", 2048);
        try (ApplicationContext ctx = ApplicationContext.run(EmbeddedServer.class, p).getApplicationContext()) {
            ServeBench b = new ServeBench("http://127.0.0.1:" + ctx.getBean(EmbeddedServer.class).getPort());
            String app = b.setUp(data);
            System.out.printf("serve bench: 20M Llama over HTTP, LoRA r=8 on all modules, %d new tokens, H2 request "
                    + "log (every request sampled)%n", tokens);
            long warm = System.nanoTime();
            b.warmUp(app, warmup);
            System.out.printf("warm-up: %d one-token completions on each route and %d refusals in %.0f s (4 sockets)%n",
                    warmup, warmup, (System.nanoTime() - warm) / 1e9);
            List<String> ids = new ArrayList<>();
            double engineP50 = 0;
            for (String route : List.of("bench", "bench-shadowed")) {
                double[] o = b.overhead(app, route, requests, tokens, ids);
                System.out.printf("overhead %-15s P50 %.2f ms  P95 %.2f ms  (engine P50 %.1f ms, %d requests, JDK HttpClient)%n",
                        route.equals("bench") ? "(no shadow)" : "(with a shadow)", o[0], o[1], o[2], requests);
                OneSocket raw = b.rawOverhead(URI.create(b.url), app, route, requests, tokens);
                System.out.printf("overhead %-15s P50 %.2f ms  P95 %.2f ms  (engine P50 %.1f ms, %d requests, one socket)%n",
                        route.equals("bench") ? "(no shadow)" : "(with a shadow)", raw.p50(), raw.p95(), raw.engineP50(),
                        requests);
                System.out.printf("  of which the service's steps around the engine P50 %.2f / P95 %.2f ms, HTTP and "
                        + "client P50 %.2f / P95 %.2f ms%n", raw.serviceP50(), raw.serviceP95(), raw.outsideP50(),
                        raw.outsideP95());
                if (route.equals("bench")) {
                    engineP50 = raw.engineP50();
                }
            }
            try (NettyFloor floor = new NettyFloor()) {
                URI bare = URI.create("http://127.0.0.1:" + floor.port());
                b.rawOverhead(bare, app, "bench", warmup, tokens);
                floor.busyMillis(engineP50);
                OneSocket f = b.rawOverhead(bare, app, "bench", requests, tokens);
                System.out.printf("the machine's floor: a bare Netty server, its one engine thread busy %.0f ms per request, "
                        + "no service code: overhead P50 %.2f ms  P95 %.2f ms%n", engineP50, f.p50(), f.p95());
            }
            double[] floor = b.rawRefusals(app, requests);
            System.out.printf("a request refused before the engine (unknown model, 404): P50 %.2f ms  P95 %.2f ms%n",
                    floor[0], floor[1]);
            BaseModelEngines.Loaded loaded = ctx.getBean(BaseModelEngines.class).engine(BASE);
            for (int c : clients) {
                double viaHttp = b.httpTokens(app, c, seconds, tokens);
                double engine = engineTokens(loaded, c, seconds, tokens);
                System.out.printf("%2d streaming clients: HTTP %.0f tok/s, engine alone %.0f tok/s (%.0f%%)%n", c, viaHttp,
                        engine, 100 * viaHttp / engine);
            }
            System.out.printf("/v1/feedback: %.0f requests/s (8 clients, %d requests)%n", b.feedback(app, ids), ids.size());
        }
    }

    private JsonNode call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + res.statusCode() + " " + res.body());
        }
        return JSON.readTree(res.body());
    }

    /** Two routes on the 20M base, each with a champion; the second also with a shadow. Returns an inference token. */
    private String setUp(Path data) throws Exception {
        String operator = call("POST", "/api/v1/admin/tokens", ADMIN, "{\"name\":\"olivia\",\"roles\":[\"operator\"]}")
                .get("secret").asText();
        String approver = call("POST", "/api/v1/admin/tokens", ADMIN, "{\"name\":\"adam\",\"roles\":[\"approver\"]}")
                .get("secret").asText();
        call("POST", "/api/v1/adapters", operator, "{\"name\":\"bench-lora\",\"baseModel\":\"" + BASE + "\"}");
        try (NDManager m = Engines.newManager(); ModelFolder f = ModelFolder.load(data.resolve("models").resolve(BASE), m)) {
            for (int v = 1; v <= 3; v++) {
                Path dir = data.resolve("adapters").resolve("bench-" + v);
                f.model().addAdapter("v" + v, new LoraConfig(8, 16, 0, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                        "gate_proj", "up_proj", "down_proj"), false, BASE), v);
                PeftAdapter.write(dir, f.model(), "v" + v);
                call("POST", "/api/v1/adapters/bench-lora/versions", operator,
                        "{\"artifactUri\":\"" + dir.toUri() + "\"}");
                call("POST", "/api/v1/adapters/bench-lora/versions/" + v + "/evaluate", operator, "{\"passed\":true}");
            }
        }
        String[] routes = {"bench", "bench-shadowed"};
        for (int i = 0; i < 2; i++) {
            call("POST", "/api/v1/routes", operator, "{\"name\":\"" + routes[i] + "\",\"baseModel\":\"" + BASE
                    + "\",\"maxNewTokens\":512}");
            call("POST", "/api/v1/adapters/bench-lora/versions/" + (i + 1) + "/request-approval", operator,
                    "{\"route\":\"" + routes[i] + "\"}");
            call("POST", "/api/v1/adapters/bench-lora/versions/" + (i + 1) + "/approve", approver, "{}");
        }
        call("POST", "/api/v1/adapters/bench-lora/versions/3/shadow", operator, "{\"route\":\"bench-shadowed\"}");
        return call("POST", "/api/v1/admin/tokens", ADMIN, "{\"name\":\"bench-app\",\"roles\":[\"inference\"]}")
                .get("secret").asText();
    }

    private String completion(String route, int tokens, boolean stream) {
        return "{\"model\":\"" + route + "\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":" + tokens + ",\"stream\":"
                + stream + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }

    /** Sequential requests; returns {overhead P50 ms, overhead P95 ms, engine P50 ms}. */
    private double[] overhead(String app, String route, int n, int tokens, List<String> ids) throws Exception {
        List<Double> overhead = new ArrayList<>();
        List<Double> engine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .header("Authorization", "Bearer " + app).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(completion(route, tokens, false))).build();
            long t = System.nanoTime();
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            double ms = (System.nanoTime() - t) / 1e6;
            String timing = res.headers().firstValue("Server-Timing").orElseThrow();
            double engineMs = engineMs(timing);
            overhead.add(ms - engineMs);
            engine.add(engineMs);
            ids.add(res.headers().firstValue("x-request-id").orElseThrow());
        }
        return new double[] {percentile(overhead, 0.5), percentile(overhead, 0.95), percentile(engine, 0.5)};
    }

    /**
     * One-socket overhead in milliseconds, split by Server-Timing's {@code total} (arrival at the
     * controller to the recorded result): {@code service} is the service's own steps around the
     * engine (admission, the hop to the recording thread, recording), {@code outside} the HTTP layers
     * and the client.
     */
    private record OneSocket(double p50, double p95, double engineP50, double serviceP50, double serviceP95,
                             double outsideP50, double outsideP95) {
    }

    /** {@link #overhead} over {@link RawHttp} to {@code server}: one keep-alive socket, no client threads. */
    private OneSocket rawOverhead(URI server, String app, String route, int n, int tokens) throws Exception {
        List<Double> overhead = new ArrayList<>();
        List<Double> engine = new ArrayList<>();
        List<Double> service = new ArrayList<>();
        List<Double> outside = new ArrayList<>();
        try (RawHttp raw = new RawHttp(server.getHost(), server.getPort())) {
            for (int i = 0; i < n + 20; i++) { // the first 20 warm the connection up
                String body = completion(route, tokens, false);
                long t = System.nanoTime();
                RawHttp.Response res = raw.post("/v1/completions", app, body);
                double ms = (System.nanoTime() - t) / 1e6;
                if (res.status() != 200) {
                    throw new IllegalStateException("completion: " + res.status() + " " + res.body());
                }
                String timing = res.headers().get("server-timing");
                double engineMs = engineMs(timing);
                double totalMs = totalMs(timing);
                if (i >= 20) {
                    overhead.add(ms - engineMs);
                    engine.add(engineMs);
                    service.add(totalMs - engineMs);
                    outside.add(ms - totalMs);
                }
            }
        }
        return new OneSocket(percentile(overhead, 0.5), percentile(overhead, 0.95), percentile(engine, 0.5),
                percentile(service, 0.5), percentile(service, 0.95), percentile(outside, 0.5), percentile(outside, 0.95));
    }

    /**
     * Runs the served and the refused paths until the JIT has compiled them (a service answers
     * thousands of requests a minute, so its steady state, not its first hundred, is what to time):
     * {@code n} rounds of a one-token completion on each route and a refusal, from four sockets at
     * once so the engine batches them.
     */
    private void warmUp(String app, int n) throws Exception {
        URI u = URI.create(url);
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < 4; c++) {
            int rounds = n / 4 + (c < n % 4 ? 1 : 0);
            threads.add(new Thread(() -> {
                try (RawHttp raw = new RawHttp(u.getHost(), u.getPort())) {
                    for (int i = 0; i < rounds; i++) {
                        for (String route : List.of("bench", "bench-shadowed", "no-such-route")) {
                            RawHttp.Response res = raw.post("/v1/completions", app, completion(route, 1, false));
                            if (res.status() != (route.startsWith("bench") ? 200 : 404)) {
                                throw new IllegalStateException("warm-up on " + route + ": " + res.status() + " "
                                        + res.body());
                            }
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.peek();
        }
    }

    /** Latency P50/P95 of completions naming an unknown model: the HTTP, auth and refusal path alone. */
    private double[] rawRefusals(String app, int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        URI u = URI.create(url);
        try (RawHttp raw = new RawHttp(u.getHost(), u.getPort())) {
            for (int i = 0; i < n + 20; i++) {
                long t = System.nanoTime();
                RawHttp.Response res = raw.post("/v1/completions", app, completion("no-such-route", 8, false));
                if (res.status() != 404) {
                    throw new IllegalStateException("unknown model: " + res.status() + " " + res.body());
                }
                if (i >= 20) {
                    ms.add((System.nanoTime() - t) / 1e6);
                }
            }
        }
        return new double[] {percentile(ms, 0.5), percentile(ms, 0.95)};
    }

    /** The engine's milliseconds from {@code Server-Timing: engine;dur=…, total;dur=…}. */
    private static double engineMs(String serverTiming) {
        return Double.parseDouble(serverTiming.substring(serverTiming.indexOf("dur=") + 4, serverTiming.indexOf(',')));
    }

    /** The service's milliseconds from arrival to the recorded result, {@code total;dur=…}. */
    private static double totalMs(String serverTiming) {
        return Double.parseDouble(serverTiming.substring(serverTiming.lastIndexOf("dur=") + 4));
    }

    private static double percentile(List<Double> values, double q) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.max(0, (int) Math.ceil(q * s.size()) - 1));
    }

    /** Closed-loop streaming clients for {@code seconds}; completion tokens/s counted from the usage chunks. */
    private double httpTokens(String app, int clients, int seconds, int tokens) throws Exception {
        AtomicLong produced = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                                .header("Authorization", "Bearer " + app).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(completion("bench", tokens, true))).build();
                        HttpResponse<java.io.InputStream> res = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
                        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(),
                                StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                if (line.contains("\"usage\"")) {
                                    produced.addAndGet(JSON.readTree(line.substring(5)).path("usage")
                                            .path("completion_tokens").asLong());
                                }
                            }
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        return produced.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** The same load on the engine itself: closed-loop callers submitting the same prompt with the same adapter. */
    private static double engineTokens(BaseModelEngines.Loaded loaded, int clients, int seconds, int tokens)
            throws Exception {
        int[] prompt = loaded.folder().tokenizer().encode(PROMPT);
        AtomicLong produced = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long seed = c;
            threads.add(new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        GenerationOptions o = new GenerationOptions(tokens, 1, 0, 1, 1, seed, List.of(), true,
                                "bench-lora@1");
                        EngineResult r = loaded.engine().submit(EngineRequest.ofIds(prompt, o)).await(5, TimeUnit.MINUTES);
                        produced.addAndGet(r.completionTokens());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        return produced.get() / ((System.nanoTime() - start) / 1e9);
    }

    private double feedback(String app, List<String> ids) throws Exception {
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(ids);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            threads.add(new Thread(() -> {
                String id;
                while ((id = queue.poll()) != null) {
                    try {
                        call("POST", "/v1/feedback", app, "{\"request_id\":\"" + id + "\",\"rating\":\"up\"}");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        return ids.size() / ((System.nanoTime() - start) / 1e9);
    }
}

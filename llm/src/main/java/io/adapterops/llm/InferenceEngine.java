package io.adapterops.llm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Serves many requests, each with its own adapter or none, over one loaded base model.
 *
 * <p>Continuous batching: callers {@link #submit} from any thread and get a {@link GenerationHandle}
 * at once; one scheduler thread runs decode steps over every running row. At each step boundary,
 * new requests are prefilled and join the batch, and finished or cancelled rows leave without
 * waiting for the others. The base weights are multiplied once per step for the whole batch; each
 * row's LoRA term uses that row's adapter ({@link BatchedLora}), so a batch may mix adapters freely.
 *
 * <p>Limits: at most {@code maxBatch} rows run; a request joins only when the KV cache, sized to rows ×
 * the longest reserved length ({@link BatchKvCache}), stays within {@code kvBudgetBytes}; otherwise it
 * waits in a queue of at most {@code maxWaiting}. Beyond that, {@code submit} refuses at once with an
 * {@link EngineOverloadedException}; bad input is refused at once with an
 * {@link IllegalArgumentException} (or its subtypes {@link UnknownAdapterException},
 * {@link AdapterIncompatibleException}). A refused request never disturbs the running ones.
 *
 * <p>All array work happens on the scheduler thread, each step inside an {@code NDScope} on a
 * sub-manager that is closed after it; the cache and the stacked adapters are its only long-lived
 * arrays, freed on resize and on {@link #close}.
 */
public final class InferenceEngine implements AutoCloseable {

    /** A snapshot of the engine's load. */
    public record Stats(int running, int waiting, long steps, long kvBytes, long kvBudgetBytes, long adapterBytes) {
    }

    private static final int SLOT_STEP = 4;
    private static final int LENGTH_STEP = 64;

    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final Set<Integer> eosIds;
    private final ChatTemplate template;
    private final EngineConfig config;
    private final AdapterCache adapters;
    private final long bytesPerPosition;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();

    // guarded by lock: requests not yet running, and the reservations of rows admitted to the batch
    private final Object lock = new Object();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final ArrayDeque<Pending> admitted = new ArrayDeque<>();
    private final TreeMap<Integer, Integer> reservedLengths = new TreeMap<>(); // length → rows
    private int reservedRows;
    private boolean closed;
    private volatile int runningRows;
    private volatile long kvBytes;

    // scheduler thread only
    private final Thread scheduler;
    private final List<Row> rows = new ArrayList<>(); // row i lives in cache slot i
    private NDManager root;
    private BatchKvCache cache;
    private BatchedLora lora;
    private BatchForward forward;

    /** Test hook: sees every row's logits (vocab) before its token is sampled, with the handle's id. */
    volatile BiConsumer<Long, float[]> logitsTap;

    /** Test hook: distinct adapters per step up to which LoRA is masked rather than gathered per row. */
    volatile int maskedAdapterLimit = BatchedLora.MASKED_LIMIT;

    public InferenceEngine(ModelFolder folder, EngineConfig config) {
        this(folder.model(), folder.tokenizer(), folder.eosIds(), folder.chatTemplate(), config);
    }

    public InferenceEngine(LlamaModel model, TextTokenizer tokenizer, Set<Integer> eosIds, ChatTemplate template,
                           EngineConfig config) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.eosIds = Set.copyOf(eosIds);
        this.template = template;
        this.config = config;
        this.adapters = new AdapterCache(model, config.baseName(), config.adapterBudgetBytes());
        this.bytesPerPosition = BatchKvCache.bytesPerPosition(model.config());
        this.scheduler = new Thread(this::schedule, "inference-engine");
        this.scheduler.setDaemon(true);
        this.scheduler.start();
    }

    /** The adapters this engine can serve: register, unload. */
    public AdapterCache adapters() {
        return adapters;
    }

    public EngineConfig config() {
        return config;
    }

    public Stats stats() {
        synchronized (lock) {
            return new Stats(runningRows, waiting.size() + admitted.size(), steps.get(), kvBytes, config.kvBudgetBytes(),
                    adapters.usedBytes());
        }
    }

    // ---- submitting ---------------------------------------------------------------------------

    /**
     * Queues a request and returns its handle at once.
     *
     * @throws IllegalArgumentException for bad input: empty or too long a prompt, maxNewTokens above the
     *         limit, a conversation on a model without a known chat template
     * @throws UnknownAdapterException when the adapter is not registered (or was unloaded)
     * @throws AdapterIncompatibleException when the adapter does not fit the base
     * @throws EngineOverloadedException when the queue (and the batch) or the adapter cache is full
     * @throws IllegalStateException when the engine is closed
     */
    public GenerationHandle submit(EngineRequest request) {
        GenerationOptions o = request.options();
        int[] prompt = request.promptIds() != null ? request.promptIds() : tokenizer.encode(render(request.messages()));
        checkInput(prompt, o);
        int length = prompt.length + o.maxNewTokens();
        AdapterCache.Lease lease = o.adapter() == null ? null : adapters.acquire(o.adapter());
        GenerationHandle handle = new GenerationHandle(ids.incrementAndGet());
        Pending p = new Pending(handle, prompt, o, lease, length);
        synchronized (lock) {
            if (closed) {
                adapters.release(lease);
                throw new IllegalStateException("the inference engine is closed");
            }
            if (waiting.isEmpty() && fits(length)) {
                reserve(length);
                admitted.add(p);
            } else if (waiting.size() < config.maxWaiting()) {
                waiting.add(p);
            } else {
                adapters.release(lease);
                throw new EngineOverloadedException("the engine is full: " + reservedRows + " of " + config.maxBatch()
                        + " rows running, KV cache " + EngineConfig.mib(kvNeed(reservedRows, longestReserved()))
                        + " of " + EngineConfig.mib(config.kvBudgetBytes()) + " reserved, and " + waiting.size()
                        + " of " + config.maxWaiting() + " queue places taken; retry later");
            }
            lock.notifyAll();
        }
        return handle;
    }

    private String render(List<ChatTemplate.Message> messages) {
        if (template == null) {
            throw new IllegalArgumentException("this model folder has no chat template the runtime knows "
                    + "(tokenizer_config.json chat_template); send prompt token ids instead");
        }
        return template.render(messages, true);
    }

    private void checkInput(int[] prompt, GenerationOptions o) {
        LlamaConfig c = model.config();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        for (int id : prompt) {
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, "
                        + c.vocabSize() + ")");
            }
        }
        if (o.maxNewTokens() > config.maxNewTokensLimit()) {
            throw new IllegalArgumentException("maxNewTokens " + o.maxNewTokens() + " is above this engine's limit of "
                    + config.maxNewTokensLimit());
        }
        int context = c.maxPositionEmbeddings();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context is "
                    + context + " tokens (prompt and new tokens together)");
        }
        if (prompt.length + o.maxNewTokens() > context) {
            throw new IllegalArgumentException("prompt (" + prompt.length + " tokens) + maxNewTokens ("
                    + o.maxNewTokens() + ") = " + (prompt.length + o.maxNewTokens()) + " exceeds the model's context of "
                    + context + " tokens");
        }
        long alone = kvNeed(1, prompt.length + o.maxNewTokens());
        if (alone > config.kvBudgetBytes()) {
            throw new IllegalArgumentException("prompt (" + prompt.length + ") + maxNewTokens (" + o.maxNewTokens()
                    + ") needs " + EngineConfig.mib(alone) + " of KV cache, more than the engine's whole budget of "
                    + EngineConfig.mib(config.kvBudgetBytes()));
        }
    }

    // ---- reservations (under lock) -------------------------------------------------------------

    private static int roundUp(int n, int step) {
        return (n + step - 1) / step * step;
    }

    private int slotsFor(int rows) {
        return Math.min(roundUp(rows, SLOT_STEP), Math.max(rows, config.maxBatch()));
    }

    private static int capacityFor(int length) {
        return roundUp(length, LENGTH_STEP);
    }

    private long kvNeed(int rows, int longest) {
        return rows == 0 ? 0 : (long) slotsFor(rows) * capacityFor(longest) * bytesPerPosition;
    }

    private int longestReserved() {
        return reservedLengths.isEmpty() ? 0 : reservedLengths.lastKey();
    }

    private boolean fits(int length) {
        return reservedRows < config.maxBatch()
                && kvNeed(reservedRows + 1, Math.max(length, longestReserved())) <= config.kvBudgetBytes();
    }

    private void reserve(int length) {
        reservedRows++;
        reservedLengths.merge(length, 1, Integer::sum);
    }

    private void unreserve(int length) {
        synchronized (lock) {
            reservedRows--;
            reservedLengths.computeIfPresent(length, (k, n) -> n == 1 ? null : n - 1);
            lock.notifyAll();
        }
    }

    // ---- the scheduler ------------------------------------------------------------------------

    /** A submitted request before it runs. */
    private record Pending(GenerationHandle handle, int[] prompt, GenerationOptions options, AdapterCache.Lease lease,
                           int length) {
    }

    /** A running row: its request, where it is, and what it has produced. */
    private final class Row {
        final Pending p;
        final Random rnd;
        final List<Integer> seen = new ArrayList<>();
        final StreamingText text;
        int position; // positions cached so far; the next token goes here
        int next;     // the token to feed at the next step
        long firstTokenAt;
        Generator.FinishReason finish;

        Row(Pending p) {
            this.p = p;
            this.rnd = new Random(p.options().seed());
            this.text = new StreamingText(tokenizer, p.options().stop());
            for (int t : p.prompt()) {
                seen.add(t);
            }
        }

        AdapterCache.Weights adapter() {
            return p.lease() == null ? null : p.lease().weights();
        }

        /** Samples from this row's logits and streams the token; sets {@code finish} when the row is done. */
        void accept(float[] logits) {
            BiConsumer<Long, float[]> tap = logitsTap;
            if (tap != null) {
                tap.accept(p.handle().id(), logits);
            }
            int token = Sampling.next(logits, seen, p.options(), rnd);
            if (firstTokenAt == 0) {
                firstTokenAt = System.nanoTime();
            }
            if (eosIds.contains(token)) {
                finish = Generator.FinishReason.EOS;
            } else {
                seen.add(token);
                if (text.add(token)) {
                    finish = Generator.FinishReason.STOP;
                } else if (text.tokenCount() >= p.options().maxNewTokens()) {
                    finish = Generator.FinishReason.LENGTH;
                }
            }
            next = token;
            p.handle().emit(new GenerationHandle.Token(token, text.release(finish != null), finish != null));
        }
    }

    private void schedule() {
        JniUtils.setGradMode(false); // grad mode is per thread and on by default off the engine's start thread
        root = model.manager().newSubManager();
        cache = new BatchKvCache(root, model.config());
        forward = new BatchForward(model, root);
        lora = new BatchedLora(root, forward.groups());
        try {
            while (true) {
                List<Pending> starting = new ArrayList<>();
                synchronized (lock) {
                    promoteWaiting();
                    while (!closed && rows.isEmpty() && admitted.isEmpty()) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            closed = true;
                        }
                        promoteWaiting();
                    }
                    if (closed) {
                        break;
                    }
                    starting.addAll(admitted);
                    admitted.clear();
                }
                try {
                    boundary(starting);
                    if (!rows.isEmpty()) {
                        step();
                    }
                } catch (RuntimeException e) {
                    failRunning(e, starting); // a failed step ends the rows in it; the engine goes on serving
                }
            }
        } catch (Throwable t) {
            failAll(t);
        } finally {
            failAll(new IllegalStateException("the inference engine is closed"));
            lora.close();
            cache.close();
            root.close();
        }
    }

    /** Moves waiting requests into the batch while they fit (under lock); drops cancelled ones. */
    private void promoteWaiting() {
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.handle().isCancelled()) {
                it.remove();
                adapters.release(p.lease());
                p.handle().complete(result(p, "", new int[0], Generator.FinishReason.CANCELLED, 0));
            }
        }
        while (!waiting.isEmpty() && fits(waiting.peek().length())) {
            Pending p = waiting.poll();
            reserve(p.length());
            admitted.add(p);
        }
    }

    /** A step boundary: cancelled rows leave, the cache is sized, new requests are prefilled and join. */
    private void boundary(List<Pending> starting) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rows.get(i).p.handle().isCancelled()) {
                rows.get(i).finish = Generator.FinishReason.CANCELLED;
                leave(i);
            }
        }
        starting.removeIf(p -> {
            if (p.handle().isCancelled()) {
                end(p, "", new int[0], Generator.FinishReason.CANCELLED, 0);
                return true;
            }
            return false;
        });
        sizeCache(rows.size() + starting.size(), starting);
        List<AdapterCache.Weights> all = new ArrayList<>();
        rows.forEach(r -> all.add(r.adapter()));
        starting.forEach(p -> all.add(p.lease() == null ? null : p.lease().weights()));
        lora.prepare(all, maskedAdapterLimit);
        for (Pending p : starting) {
            Row row = new Row(p);
            int slot = rows.size();
            rows.add(row);
            try (NDScope scope = new NDScope(); NDManager m = root.newSubManager()) {
                lora.beginStep(m, java.util.Collections.singletonList(row.adapter()));
                float[] logits = forward.prefill(m, p.prompt(), slot, cache, lora);
                row.position = p.prompt().length;
                row.accept(logits);
            } catch (RuntimeException e) {
                rows.remove(slot);
                end(p, "", new int[0], null, 0);
                p.handle().fail(e);
                continue;
            }
            if (row.finish != null) {
                leave(slot);
            }
        }
        runningRows = rows.size();
    }

    /** Reallocates the cache when the rows or their reserved lengths outgrow it, or when it is over twice too big. */
    private void sizeCache(int rowCount, List<Pending> starting) {
        int longest = 0;
        for (Row r : rows) {
            longest = Math.max(longest, r.p.length());
        }
        for (Pending p : starting) {
            longest = Math.max(longest, p.length());
        }
        if (rowCount == 0) {
            return;
        }
        int slots = slotsFor(rowCount);
        int capacity = capacityFor(longest);
        boolean grow = slots > cache.slots() || capacity > cache.capacity();
        boolean shrink = cache.slots() >= 2 * slots + SLOT_STEP || cache.capacity() >= 2 * capacity + LENGTH_STEP;
        if (grow || shrink) {
            int keep = 0;
            for (Row r : rows) {
                keep = Math.max(keep, r.position);
            }
            cache.resize(slots, capacity, rows.size(), keep);
            kvBytes = cache.bytes();
        }
    }

    /** One decode step over every running row. */
    private void step() {
        int n = rows.size();
        int[] tokens = new int[n];
        int[] positions = new int[n];
        List<AdapterCache.Weights> rowAdapters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            tokens[i] = r.next;
            positions[i] = r.position;
            rowAdapters.add(r.adapter());
        }
        float[] flat;
        try (NDScope scope = new NDScope(); NDManager m = root.newSubManager()) {
            lora.beginStep(m, rowAdapters);
            flat = forward.decode(m, tokens, positions, cache, lora);
        }
        steps.incrementAndGet();
        int vocab = flat.length / n;
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            r.position++;
            float[] logits = new float[vocab];
            System.arraycopy(flat, i * vocab, logits, 0, vocab);
            r.accept(logits);
        }
        for (int i = n - 1; i >= 0; i--) {
            if (rows.get(i).finish != null) {
                leave(i);
            }
        }
        runningRows = rows.size();
    }

    /** Row {@code i} leaves: its handle completes, the last row moves into its slot. */
    private void leave(int i) {
        Row r = rows.get(i);
        int last = rows.size() - 1;
        if (i != last) {
            cache.move(last, i, rows.get(last).position);
            rows.set(i, rows.get(last));
        }
        rows.remove(last);
        end(r.p, r.text.text(), r.text.tokenIds(), r.finish, r.firstTokenAt);
    }

    private void end(Pending p, String text, int[] tokens, Generator.FinishReason finish, long firstTokenAt) {
        adapters.release(p.lease());
        unreserve(p.length());
        if (finish != null) {
            p.handle().complete(result(p, text, tokens, finish, firstTokenAt));
        }
    }

    private EngineResult result(Pending p, String text, int[] tokens, Generator.FinishReason finish, long firstTokenAt) {
        long now = System.nanoTime();
        long start = p.handle().submittedAt();
        return new EngineResult(text, tokens, finish, p.prompt().length, tokens.length,
                firstTokenAt == 0 ? null : Duration.ofNanos(firstTokenAt - start), Duration.ofNanos(now - start));
    }

    /** Fails every running row (after an unexpected error in a step) and starts from an empty cache. */
    private void failRunning(RuntimeException e, List<Pending> starting) {
        for (Pending p : starting) {
            if (!p.handle().isDone() && rows.stream().noneMatch(r -> r.p == p)) {
                end(p, "", new int[0], null, 0);
                p.handle().fail(e);
            }
        }
        List<Row> failed = new ArrayList<>(rows);
        rows.clear();
        runningRows = 0;
        for (Row r : failed) {
            end(r.p, "", new int[0], null, 0);
            r.p.handle().fail(e);
        }
        cache.close();
        cache = new BatchKvCache(root, model.config());
        kvBytes = 0;
    }

    private void failAll(Throwable t) {
        List<Pending> failed = new ArrayList<>();
        for (Row r : rows) {
            failed.add(r.p);
        }
        rows.clear();
        runningRows = 0;
        synchronized (lock) {
            failed.addAll(admitted);
            failed.addAll(waiting);
            admitted.clear();
            waiting.clear();
            reservedRows = 0;
            reservedLengths.clear();
        }
        for (Pending p : failed) {
            adapters.release(p.lease());
            p.handle().fail(t);
        }
    }

    /** Stops the scheduler: requests still queued or running fail with "closed"; frees the engine's arrays. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            scheduler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

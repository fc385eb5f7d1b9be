package io.adapterops.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Text generation with a KV cache. A batch of prompts of different lengths is left-padded: padded
 * keys are masked out and each row's positions start at 0 on its first real token, so a prompt
 * generates the same tokens alone or in a batch. Each request runs on its own NDManager, and each
 * step inside an NDScope on a sub-manager, so native memory stays flat over long generations.
 */
public final class Generator {

    /** Why a row stopped; {@code CANCELLED} only in the {@link InferenceEngine}, when its caller cancelled. */
    public enum FinishReason { EOS, STOP, LENGTH, CANCELLED }

    /** One generated token as streamed; {@code text} is the newly safe-to-show text (may be empty). */
    public record Token(int row, int tokenId, String text, boolean last) {
    }

    /** Receives tokens as they are generated. */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(Token token);
    }

    /** A finished generation; {@code tokenIds} excludes the EOS token. */
    public record Result(String text, int[] tokenIds, FinishReason finishReason, int promptTokens) {
    }

    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final Set<Integer> eosIds;
    private final int padId;

    public Generator(LlamaModel model, TextTokenizer tokenizer, Set<Integer> eosIds, int padId) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.eosIds = Set.copyOf(eosIds);
        this.padId = padId;
    }

    public Generator(ModelFolder folder) {
        this(folder.model(), folder.tokenizer(), folder.eosIds(), folder.padId());
    }

    public Result generate(String prompt, GenerationOptions o, TokenListener listener) {
        return generate(List.of(prompt), o, listener).get(0);
    }

    /** Renders a conversation with {@code template} and generates the assistant's reply. */
    public Result chat(List<ChatTemplate.Message> messages, ChatTemplate template, GenerationOptions o,
                       TokenListener listener) {
        return generate(template.render(messages, true), o, listener);
    }

    public List<Result> generate(List<String> prompts, GenerationOptions o, TokenListener listener) {
        List<int[]> ids = new ArrayList<>();
        for (String p : prompts) {
            ids.add(tokenizer.encode(p));
        }
        return generateIds(ids, o, listener);
    }

    /** Generates for a batch of tokenized prompts. */
    public List<Result> generateIds(List<int[]> prompts, GenerationOptions o, TokenListener listener) {
        int b = prompts.size();
        int maxLen = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        if (prompts.stream().anyMatch(p -> p.length == 0)) {
            throw new IllegalArgumentException("empty prompt");
        }
        int total = maxLen + o.maxNewTokens();
        if (total > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompt (" + maxLen + ") + maxNewTokens (" + o.maxNewTokens()
                    + ") exceeds the usable length " + model.config().maxPositionEmbeddings()
                    + " (max_position_embeddings, or sliding_window where the model uses one)");
        }
        long[][] tokens = new long[b][total]; // left-padded prompts, then generated tokens
        int[][] positions = new int[b][total];
        boolean[][] keyMask = new boolean[b][total];
        boolean padded = false;
        Row[] rows = new Row[b];
        for (int i = 0; i < b; i++) {
            int[] p = prompts.get(i);
            int pad = maxLen - p.length;
            padded |= pad > 0;
            Arrays.fill(tokens[i], padId);
            for (int j = 0; j < total; j++) {
                keyMask[i][j] = j >= pad;
                positions[i][j] = Math.max(0, j - pad);
            }
            for (int j = 0; j < p.length; j++) {
                tokens[i][pad + j] = p[j];
            }
            rows[i] = new Row(i, p, new Random(o.seed()), o.stop());
        }
        boolean[][] mask = padded ? keyMask : null;
        try (NDManager request = model.manager().newSubManager();
             KvCache cache = o.useCache() ? new KvCache(request, model.config().numHiddenLayers()) : null) {
            float[][] logits = lastLogits(request, tokens, positions, mask, cache, 0, maxLen, o.adapter());
            for (int step = 0; step < o.maxNewTokens(); step++) {
                boolean lastStep = step == o.maxNewTokens() - 1;
                boolean anyActive = false;
                for (Row r : rows) {
                    if (r.finish == null) {
                        int next = Sampling.next(logits[r.index], r.seen, o, r.rnd);
                        tokens[r.index][maxLen + step] = next;
                        r.accept(next, lastStep, listener);
                        anyActive |= r.finish == null;
                    }
                }
                if (!anyActive) {
                    break;
                }
                int end = maxLen + step + 1;
                logits = o.useCache()
                        ? lastLogits(request, tokens, positions, mask, cache, end - 1, end, o.adapter())
                        : lastLogits(request, tokens, positions, mask, null, 0, end, o.adapter());
            }
        }
        List<Result> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Result(r.text, r.generated(), r.finish,
                    r.prompt.length));
        }
        return out;
    }

    /** Runs columns [from, to) of the batch and returns the last column's logits (batch, vocab). */
    private float[][] lastLogits(NDManager request, long[][] tokens, int[][] positions, boolean[][] mask,
                                 KvCache cache, int from, int to, String adapter) {
        int b = tokens.length;
        int t = to - from;
        long[] ids = new long[b * t];
        int[][] pos = new int[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(tokens[i], from, ids, i * t, t);
            System.arraycopy(positions[i], from, pos[i], 0, t);
        }
        try (NDScope scope = new NDScope(); NDManager step = request.newSubManager()) {
            NDArray x = step.create(ids, new Shape(b, t));
            NDArray logits = model.forward(x, pos, mask, cache, adapter, false); // (batch, t, vocab)
            float[] flat = logits.get(new NDIndex(":, -1, :")).toFloatArray(); // (batch · vocab)
            int v = flat.length / b;
            float[][] out = new float[b][v];
            for (int i = 0; i < b; i++) {
                System.arraycopy(flat, i * v, out[i], 0, v);
            }
            return out;
        }
    }

    /** One prompt's generation state: its text as streamed, the tokens it has seen, and why it stopped. */
    private final class Row {
        final int index;
        final int[] prompt;
        final Random rnd;
        final List<Integer> seen = new ArrayList<>();
        final StreamingText out;
        String text = "";
        FinishReason finish;

        Row(int index, int[] prompt, Random rnd, List<String> stop) {
            this.index = index;
            this.prompt = prompt;
            this.rnd = rnd;
            this.out = new StreamingText(tokenizer, stop);
            for (int p : prompt) {
                seen.add(p);
            }
        }

        int[] generated() {
            return out.tokenIds();
        }

        void accept(int token, boolean lastStep, TokenListener listener) {
            if (eosIds.contains(token)) {
                finish = FinishReason.EOS;
                emit(listener, token, true);
                return;
            }
            seen.add(token);
            if (out.add(token)) {
                finish = FinishReason.STOP;
            } else if (lastStep) {
                finish = FinishReason.LENGTH;
            }
            text = out.text();
            emit(listener, token, finish != null);
        }

        private void emit(TokenListener listener, int token, boolean last) {
            String delta = out.release(last);
            if (listener != null) {
                listener.onToken(new Token(index, token, delta, last));
            }
        }
    }
}

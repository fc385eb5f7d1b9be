package io.adapterops.trainer;

import io.adapterops.llm.TextTokenizer;
import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.Example;
import io.adapterops.trainer.data.PreferencePair;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns rows into token ids and a loss mask as LLaMA-Factory's dataset processors do
 * ({@code data/processor/supervised.py}, {@code pairwise.py}), with its templates
 * ({@link TrainingTemplate}) and its truncation ({@link #inferSeqlen}).
 *
 * <p>SFT: the conversation is encoded turn by turn, then taken pair by pair (prompt turn, reply
 * turn); each pair gets what is left of {@code cutoff_len} and splits it between prompt and reply,
 * prompt masked, reply (with its end-of-turn or EOS) trained; pairs that no longer fit are dropped.
 * Preferences: the whole prompt is one source, the longer of the two replies the target, and both
 * replies are cut to the same length.
 */
public final class ChatEncoder {

    private final TrainingTemplate template;
    private final TextTokenizer tokenizer;
    private final TrainingTemplate.Tokens special;
    private final int cutoffLen;

    ChatEncoder(TrainingTemplate template, TextTokenizer tokenizer, TrainingTemplate.Tokens special, int cutoffLen) {
        this.template = template;
        this.tokenizer = tokenizer;
        this.special = special;
        this.cutoffLen = cutoffLen;
    }

    public TrainingTemplate template() {
        return template;
    }

    /** One row's sequences (one for SFT; chosen and rejected for a pair), and whether the cutoff cut them. */
    record Encoded(Sequence[] sequences, boolean truncated) {
    }

    Encoded encodeRow(Example e) {
        return e instanceof PreferencePair p ? encodePair(p) : encodeConversation((Conversation) e);
    }

    /** Every reply of the conversation trained, everything else masked. */
    public Sequence encode(Conversation c) {
        return encodeConversation(c).sequences()[0];
    }

    /** The chosen and the rejected sequence of a preference pair. */
    public Sequence[] encode(PreferencePair p) {
        return encodePair(p).sequences();
    }

    private Encoded encodeConversation(Conversation c) {
        List<int[]> turns = template.encode(tokenizer, special, c.system(), c.tools(), c.turns());
        List<int[]> parts = new ArrayList<>();
        List<Boolean> trained = new ArrayList<>();
        int total = 0;
        boolean cut = false;
        for (int i = 0; i + 1 < turns.size(); i += 2) {
            int[] source = turns.get(i);
            int[] target = turns.get(i + 1);
            if (total >= cutoffLen) {
                cut = true;
                break;
            }
            int[] lens = inferSeqlen(source.length, target.length, cutoffLen - total);
            cut |= lens[0] < source.length || lens[1] < target.length;
            parts.add(Arrays.copyOf(source, lens[0]));
            trained.add(false);
            parts.add(Arrays.copyOf(target, lens[1]));
            trained.add(true);
            total += lens[0] + lens[1];
        }
        return new Encoded(new Sequence[] {join(parts, trained)}, cut);
    }

    private Encoded encodePair(PreferencePair p) {
        int[] prompt = flatten(template.encode(tokenizer, special, p.prompt().system(), p.prompt().tools(),
                p.prompt().turns()));
        int[] chosen = reply(p, p.chosen());
        int[] rejected = reply(p, p.rejected());
        int[] lens = inferSeqlen(prompt.length, Math.max(chosen.length, rejected.length), cutoffLen);
        boolean cut = lens[0] < prompt.length || lens[1] < Math.max(chosen.length, rejected.length);
        int[] source = Arrays.copyOf(prompt, lens[0]);
        Sequence[] out = new Sequence[2];
        int k = 0;
        for (int[] reply : new int[][] {chosen, rejected}) {
            out[k++] = join(List.of(source, Arrays.copyOf(reply, Math.min(reply.length, lens[1]))), List.of(false, true));
        }
        return new Encoded(out, cut);
    }

    /** {@code encode_oneturn}'s response: the reply's own tokens, encoded after the prompt's turns. */
    private int[] reply(PreferencePair p, String reply) {
        List<Turn> turns = new ArrayList<>(p.prompt().turns());
        turns.add(new Turn(Role.ASSISTANT, reply));
        List<int[]> encoded = template.encode(tokenizer, special, p.prompt().system(), p.prompt().tools(), turns);
        return encoded.get(encoded.size() - 1);
    }

    /**
     * LLaMA-Factory's {@code infer_seqlen}: how many source (prompt) and target (reply) tokens fit in
     * {@code cutoff}. A reply shorter than half the budget is kept whole and the prompt cut; a prompt
     * shorter than half is kept whole and the reply cut; otherwise both are cut in proportion.
     *
     * @return {source length, target length}
     */
    static int[] inferSeqlen(int sourceLen, int targetLen, int cutoff) {
        int maxTarget;
        if (targetLen * 2 < cutoff) {
            maxTarget = cutoff;
        } else if (sourceLen * 2 < cutoff) {
            maxTarget = cutoff - sourceLen;
        } else {
            maxTarget = (int) (cutoff * ((double) targetLen / (sourceLen + targetLen))); // Python int(): toward zero
        }
        int newTarget = Math.min(maxTarget, targetLen);
        int newSource = Math.min(Math.max(cutoff - newTarget, 0), sourceLen);
        return new int[] {newSource, newTarget};
    }

    private static int[] flatten(List<int[]> parts) {
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }

    private static Sequence join(List<int[]> parts, List<Boolean> trainedParts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        int[] ids = new int[n];
        boolean[] trained = new boolean[n];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            int[] p = parts.get(i);
            System.arraycopy(p, 0, ids, at, p.length);
            if (trainedParts.get(i)) {
                Arrays.fill(trained, at, at + p.length, true);
            }
            at += p.length;
        }
        return new Sequence(ids, trained);
    }
}

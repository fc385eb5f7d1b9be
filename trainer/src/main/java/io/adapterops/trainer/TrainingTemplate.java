package io.adapterops.trainer;

import io.adapterops.llm.ChatTemplate;
import io.adapterops.llm.TextTokenizer;
import io.adapterops.trainer.data.Role;
import io.adapterops.trainer.data.Turn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * LLaMA-Factory's chat templates as its trainer encodes them ({@code src/llamafactory/data/template.py},
 * {@code register_template} and {@code Template._encode}). Each template is a set of slots; a slot
 * is a list of pieces, each a text with a {@code {{content}}} place or the tokenizer's EOS/BOS.
 * Encoding gives one token list per message, exactly as {@code _encode} does it: message 0 carries
 * the prefix and the system prompt (the template's default when the row has none); every text
 * piece is tokenized on its own, without special tokens added.
 *
 * <p>What is trained follows from the slots: the assistant slot (reply plus end-of-turn or EOS) is
 * the target, everything else the source. Templates whose {@code replace_eos} makes their first
 * stop word the EOS write that token into the slot itself here.
 *
 * <p>Not reproduced: LLaMA-Factory's tool formats (a tool schema is appended to the system prompt
 * as {@code "\n\nTools:\n" + schema} and a function call is the reply's text as written).
 */
public enum TrainingTemplate {
    /** {@code register_template(name="default", …)}. */
    DEFAULT("default", List.of(), List.of("System: {{content}}", Special.EOS, "\n"),
            List.of("Human: {{content}}", Special.EOS, "\nAssistant:"), List.of("{{content}}", Special.EOS, "\n"), null,
            "", false),
    /** {@code register_template(name="alpaca", …)}. */
    ALPACA("alpaca", List.of(), List.of("{{content}}"), List.of("### Instruction:\n{{content}}\n\n### Response:\n"),
            List.of("{{content}}", Special.EOS, "\n\n"), null,
            "Below is an instruction that describes a task. Write a response that appropriately completes the "
                    + "request.\n\n", false),
    /** {@code register_template(name="llama3", …)}; {@code replace_eos}: EOS is {@code <|eot_id|>}. */
    LLAMA3("llama3", List.of(Special.BOS), List.of("<|start_header_id|>system<|end_header_id|>\n\n{{content}}<|eot_id|>"),
            List.of("<|start_header_id|>user<|end_header_id|>\n\n{{content}}<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n"),
            List.of("{{content}}<|eot_id|>"),
            List.of("<|start_header_id|>ipython<|end_header_id|>\n\n{{content}}<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n"), "", false),
    /** {@code register_template(name="qwen", …)}: Qwen2.5, with its default system prompt. */
    QWEN("qwen", List.of(), List.of("<|im_start|>system\n{{content}}<|im_end|>\n"),
            List.of("<|im_start|>user\n{{content}}<|im_end|>\n<|im_start|>assistant\n"),
            List.of("{{content}}<|im_end|>\n"),
            List.of("<|im_start|>user\n<tool_response>\n{{content}}\n</tool_response><|im_end|>\n"
                    + "<|im_start|>assistant\n"),
            "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", false),
    /** {@code register_template(name="qwen3_nothink", …)}: Qwen3 instruct models, no thinking block. */
    QWEN3_NOTHINK("qwen3_nothink", List.of(), QWEN.system, QWEN.user, QWEN.assistant, QWEN.observation, "", false),
    /** {@code register_template(name="mistral", …, template_class=Llama2Template)}: system fused into the first user turn. */
    MISTRAL("mistral", List.of(Special.BOS), List.of("{{content}}\n\n"), List.of("[INST] {{content}}[/INST]"),
            List.of(" {{content}}", Special.EOS), List.of("[TOOL_RESULTS] {\"content\": {{content}}}[/TOOL_RESULTS]"),
            "", true),
    /** {@code register_template(name="chatml", …)}. */
    CHATML("chatml", List.of(), QWEN.system, QWEN.user, QWEN.assistant,
            List.of("<|im_start|>tool\n{{content}}<|im_end|>\n<|im_start|>assistant\n"), "", false);

    /** A piece that is a special token of the tokenizer rather than text. */
    enum Special { BOS, EOS }

    private final String lfName;
    private final List<Object> prefix;
    private final List<Object> system;
    private final List<Object> user;
    private final List<Object> assistant;
    private final List<Object> observation;
    private final String defaultSystem;
    private final boolean systemInFirstUser;

    TrainingTemplate(String lfName, List<Object> prefix, List<Object> system, List<Object> user,
                     List<Object> assistant, List<Object> observation, String defaultSystem,
                     boolean systemInFirstUser) {
        this.lfName = lfName;
        this.prefix = prefix;
        this.system = system;
        this.user = user;
        this.assistant = assistant;
        this.observation = observation != null ? observation : user;
        this.defaultSystem = defaultSystem;
        this.systemInFirstUser = systemInFirstUser;
    }

    /** LLaMA-Factory's name: {@code default}, {@code alpaca}, {@code llama3}, {@code qwen}, … */
    public String lfName() {
        return lfName;
    }

    public String defaultSystem() {
        return defaultSystem;
    }

    /** The template of LLaMA-Factory's {@code template:} name. */
    public static TrainingTemplate byName(String name) {
        for (TrainingTemplate t : values()) {
            if (t.lfName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown template '" + name + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(TrainingTemplate::lfName).toList()) + ")");
    }

    /**
     * The template for a model folder without {@code template:}: its Jinja chat template as
     * recognised by {@link ChatTemplate}, mapped to LLaMA-Factory's template of the same format.
     */
    public static TrainingTemplate of(ChatTemplate folderTemplate) {
        return switch (folderTemplate) {
            case CHATML -> CHATML;
            case LLAMA3 -> LLAMA3;
            case ALPACA -> ALPACA;
        };
    }

    /**
     * {@code Template._encode}: one token list per turn, turns alternating user side and assistant side.
     *
     * @param rowSystem the row's system prompt; null or empty = the template's default
     * @param tools the row's tool schema, or null
     */
    List<int[]> encode(TextTokenizer tok, Tokens special, String rowSystem, String tools, List<Turn> turns) {
        String sys = rowSystem == null || rowSystem.isEmpty() ? defaultSystem : rowSystem;
        String toolText = tools == null ? "" : "\n\nTools:\n" + tools;
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            List<Object> pieces = new ArrayList<>();
            String content = t.content();
            if (i == 0) {
                pieces.addAll(prefix);
                if (!sys.isEmpty() || tools != null) {
                    List<Object> sysPieces = fill(system, sys + toolText);
                    if (systemInFirstUser) { // Llama2Template: the formatted system text opens the first user turn
                        content = sysPieces.get(0) + content;
                    } else {
                        pieces.addAll(sysPieces);
                    }
                }
            }
            pieces.addAll(fill(slot(t.role()), content));
            out.add(ids(tok, special, pieces));
        }
        return out;
    }

    private List<Object> slot(Role role) {
        return switch (role) {
            case USER -> user;
            case OBSERVATION -> observation;
            case ASSISTANT, FUNCTION_CALL -> assistant;
        };
    }

    /** {@code StringFormatter.apply}: the first {@code {{content}}} of each text piece replaced. */
    private static List<Object> fill(List<Object> slot, String content) {
        List<Object> out = new ArrayList<>(slot.size());
        for (Object p : slot) {
            out.add(p instanceof String s ? replaceFirst(s, content) : p);
        }
        return out;
    }

    private static String replaceFirst(String s, String content) {
        int at = s.indexOf("{{content}}");
        return at < 0 ? s : s.substring(0, at) + content + s.substring(at + "{{content}}".length());
    }

    /** {@code _convert_elements_to_ids}: each text piece tokenized alone; BOS dropped when the tokenizer has none. */
    private static int[] ids(TextTokenizer tok, Tokens special, List<Object> pieces) {
        List<int[]> parts = new ArrayList<>();
        for (Object p : pieces) {
            if (p instanceof String s) {
                if (!s.isEmpty()) {
                    parts.add(tok.encode(s));
                }
            } else if (p == Special.BOS && special.bos() != null) {
                parts.add(new int[] {special.bos()});
            } else if (p == Special.EOS) {
                parts.add(new int[] {special.eos()});
            }
        }
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /**
     * The tokenizer's BOS (null when it has none) and EOS ids, as LLaMA-Factory's
     * {@code fix_special_tokens} leaves them: the {@code eos_token} of tokenizer_config.json.
     */
    record Tokens(Integer bos, int eos) {
    }

    @Override
    public String toString() {
        return lfName.toLowerCase(Locale.ROOT);
    }
}

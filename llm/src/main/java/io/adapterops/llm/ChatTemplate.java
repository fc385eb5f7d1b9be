package io.adapterops.llm;

import java.util.List;
import java.util.Locale;

/**
 * The chat prompt formats this runtime writes: ChatML (Qwen), Llama-3 and Alpaca. A model folder's
 * Jinja {@code chat_template} is recognised by its markers rather than executed; a caller may also
 * choose a template by name.
 */
public enum ChatTemplate {
    CHATML, LLAMA3, ALPACA;

    /** One turn of a conversation; role is {@code system}, {@code user} or {@code assistant}. */
    public record Message(String role, String content) {
    }

    public static ChatTemplate byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "chatml", "qwen", "qwen2" -> CHATML;
            case "llama3", "llama" -> LLAMA3;
            case "alpaca" -> ALPACA;
            default -> throw new IllegalArgumentException("unknown chat template '" + name
                    + "' (known: chatml, llama3, alpaca)");
        };
    }

    /** The template a Jinja {@code chat_template} text implements, or null when unrecognised. */
    public static ChatTemplate recognise(String jinja) {
        if (jinja == null) {
            return null;
        }
        if (jinja.contains("<|im_start|>")) {
            return CHATML;
        }
        if (jinja.contains("<|start_header_id|>")) {
            return LLAMA3;
        }
        if (jinja.contains("### Instruction") || jinja.contains("### Response")) {
            return ALPACA;
        }
        return null;
    }

    /** The prompt text; with {@code addGenerationPrompt} it ends where the assistant's answer starts. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder s = new StringBuilder();
        switch (this) {
            case CHATML -> {
                for (Message m : messages) {
                    s.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
                }
                if (addGenerationPrompt) {
                    s.append("<|im_start|>assistant\n");
                }
            }
            case LLAMA3 -> {
                s.append("<|begin_of_text|>");
                for (Message m : messages) {
                    s.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                            .append(m.content().strip()).append("<|eot_id|>");
                }
                if (addGenerationPrompt) {
                    s.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                }
            }
            case ALPACA -> {
                for (Message m : messages) {
                    switch (m.role()) {
                        case "system" -> s.append(m.content()).append("\n\n");
                        case "user" -> s.append("### Instruction:\n").append(m.content()).append("\n\n");
                        default -> s.append("### Response:\n").append(m.content()).append("\n\n");
                    }
                }
                if (addGenerationPrompt) {
                    s.append("### Response:\n");
                }
            }
        }
        return s.toString();
    }

    /** The text that ends an assistant turn, useful as a stop string. */
    public String endOfTurn() {
        return switch (this) {
            case CHATML -> "<|im_end|>";
            case LLAMA3 -> "<|eot_id|>";
            case ALPACA -> "### Instruction:";
        };
    }
}

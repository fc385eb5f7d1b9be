package io.adapterops.trainer.data.cleaning;

/** Counts tokens for length limits; the model's own tokenizer plugs in here. */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);
}

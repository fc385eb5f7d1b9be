package io.adapterops.trainer.data.cleaning;

/** What a near-duplicate shingle is made of. CJK text is shingled by character in both modes. */
public enum ShingleMode {
    /** n consecutive words; each CJK character counts as a word. Suits long rows. */
    WORD,
    /** n consecutive characters, whitespace collapsed. Suits short rows, where one edited word
     * would change every word shingle it touches. */
    CHARACTER
}

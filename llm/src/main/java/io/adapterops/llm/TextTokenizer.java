package io.adapterops.llm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model folder's {@code tokenizer.json}, loaded offline by DJL's Hugging Face tokenizer with no
 * truncation (DJL's default cuts at 512 tokens) and no special tokens added implicitly: prompts
 * carry exactly the special tokens their chat template writes.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static TextTokenizer load(Path folder) {
        Path file = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, "missing tokenizer.json (a model folder needs one)");
        }
        Engines.pytorch();
        try {
            return new TextTokenizer(HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build());
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new ModelFormatException(file, "cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * The token ids alone. DJL's {@code encode} also fetches tokens, type ids, words, masks and char
     * spans through JNI: about a third of a served request's own CPU time for a short prompt. This
     * makes the same native call with the same options (no prefix space, no lower-casing, no special
     * tokens) and reads only the ids.
     */
    public int[] encode(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        try {
            long[] ids = TokenizersLibrary.LIB.getTokenIds(encoding);
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = Math.toIntExact(ids[i]);
            }
            return out;
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    /** DJL's full encoding's ids, to check {@link #encode} against. */
    int[] encodeThroughDjl(String text) {
        return Arrays.stream(tokenizer.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    /** The id of a token that encodes to exactly one id, or null. */
    public Integer tokenId(String token) {
        int[] ids = encode(token);
        return ids.length == 1 ? ids[0] : null;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

package io.adapterops.llm;

import java.nio.file.Path;

/** A model, adapter or tokenizer file that cannot be used; the message names the file and the fault. */
public class ModelFormatException extends RuntimeException {

    private final Path file;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}

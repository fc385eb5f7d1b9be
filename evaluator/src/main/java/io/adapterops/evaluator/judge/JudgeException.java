package io.adapterops.evaluator.judge;

/** The judge endpoint could not be reached or gave no usable score. */
public final class JudgeException extends RuntimeException {

    public JudgeException(String message) {
        super(message);
    }

    public JudgeException(String message, Throwable cause) {
        super(message, cause);
    }
}

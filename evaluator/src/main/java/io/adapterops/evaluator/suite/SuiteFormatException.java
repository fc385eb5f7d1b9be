package io.adapterops.evaluator.suite;

/** A suite file that cannot be used, with the file, line and field to fix. */
public final class SuiteFormatException extends RuntimeException {

    private final String file;
    private final int line;
    private final String field;

    public SuiteFormatException(String file, int line, String field, String problem) {
        super(file + ":" + line + (field == null ? "" : ": field '" + field + "'") + ": " + problem);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The offending field, or null when the whole line or file is at fault. */
    public String field() {
        return field;
    }
}

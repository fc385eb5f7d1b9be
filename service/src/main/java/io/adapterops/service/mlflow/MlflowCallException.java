package io.adapterops.service.mlflow;

import io.micronaut.core.annotation.Nullable;

/** A failed MLflow call, sorted by what the outbox should do about it. */
public class MlflowCallException extends RuntimeException {
    public enum Kind {
        /** Connection refused, timeout, broken stream: try again later. */
        TRANSPORT,
        /** 401/403: the credentials are wrong; try again later, nothing else will pass either. */
        AUTH,
        /** 5xx or 429: the server is in trouble; try again later. */
        SERVER,
        /** Any other 4xx: this request will never pass as it is. */
        REJECTED
    }

    private final Kind kind;
    private final int status;
    private final @Nullable String errorCode;

    public MlflowCallException(Kind kind, int status, @Nullable String errorCode, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.errorCode = errorCode;
    }

    public static MlflowCallException ofStatus(int status, @Nullable String errorCode, String message) {
        Kind kind = status == 401 || status == 403 ? Kind.AUTH
                : status >= 500 || status == 429 ? Kind.SERVER : Kind.REJECTED;
        return new MlflowCallException(kind, status, errorCode, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public @Nullable String errorCode() {
        return errorCode;
    }

    public boolean retryable() {
        return kind != Kind.REJECTED;
    }
}

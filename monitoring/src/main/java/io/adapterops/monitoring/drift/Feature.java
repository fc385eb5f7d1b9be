package io.adapterops.monitoring.drift;

/** The prompt and response features whose drift is watched; {@link #id()} names them in JSON and metrics. */
public enum Feature {
    PROMPT_TOKENS("prompt_tokens", Kind.NUMERIC),
    RESPONSE_TOKENS("response_tokens", Kind.NUMERIC),
    TOKEN_UNIGRAMS("token_unigrams", Kind.CATEGORICAL),
    CJK_SHARE("cjk_share", Kind.CATEGORICAL);

    public enum Kind { NUMERIC, CATEGORICAL }

    private final String id;
    private final Kind kind;

    Feature(String id, Kind kind) {
        this.id = id;
        this.kind = kind;
    }

    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public static Feature byId(String id) {
        for (Feature f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown feature '" + id + "'");
    }
}

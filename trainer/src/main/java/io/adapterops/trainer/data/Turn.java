package io.adapterops.trainer.data;

import java.util.Objects;

public record Turn(Role role, String content) {
    public Turn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}

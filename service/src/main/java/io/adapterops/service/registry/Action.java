package io.adapterops.service.registry;

import java.util.Arrays;
import java.util.Optional;

/** What a person (or the system) can do to a version; the path segment is the REST verb. */
public enum Action {
    EVALUATE("evaluate"),
    SHADOW("shadow"),
    UNSHADOW("unshadow"),
    CANARY("canary"),
    REQUEST_APPROVAL("request-approval"),
    APPROVE("approve"),
    REJECT("reject"),
    ROLLBACK("rollback"),
    RETIRE("retire"),
    /** System move: a retired champion put back on its route by a rollback. */
    RESTORE("restore");

    private final String verb;

    Action(String verb) {
        this.verb = verb;
    }

    public String verb() {
        return verb;
    }

    public static Optional<Action> ofVerb(String verb) {
        return Arrays.stream(values()).filter(a -> a.verb.equals(verb)).findFirst();
    }
}

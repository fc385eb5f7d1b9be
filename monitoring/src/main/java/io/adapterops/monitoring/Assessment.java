package io.adapterops.monitoring;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One run of the retraining rule on one route: every decision, and the one that fired, if any. */
public record Assessment(String route, Instant at, List<Decision> decisions) {

    public Assessment {
        decisions = List.copyOf(decisions);
    }

    public Optional<Decision> fired() {
        return decisions.stream().filter(Decision::fired).findFirst();
    }
}

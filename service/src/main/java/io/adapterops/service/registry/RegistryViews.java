package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;

/** What the registry API returns. */
public final class RegistryViews {
    private RegistryViews() {
    }

    @Serdeable
    public record AdapterView(String name, String baseModel, @Nullable String description, String createdBy,
                              Instant createdAt) {
        public static AdapterView of(Adapter a) {
            return new AdapterView(a.name(), a.baseModel(), a.description(), a.createdBy(), a.createdAt());
        }
    }

    @Serdeable
    public record VersionView(String adapter, int version, String state, String artifactUri,
                              @Nullable Long trainingJobId, @Nullable String description, @Nullable String route,
                              @Nullable String requestedBy, String createdBy, Instant createdAt, Instant updatedAt,
                              List<String> legalMoves) {
        public static VersionView of(VersionRef ref) {
            AdapterVersion v = ref.version();
            return new VersionView(ref.adapter().name(), v.number(), v.state().name(), v.artifactUri(),
                    v.trainingJobId(), v.description(), v.routeName(), v.requestedBy(), v.createdBy(), v.createdAt(),
                    v.updatedAt(), Lifecycle.legalActions(v.state()));
        }
    }

    @Serdeable
    public record EvaluationView(long id, boolean passed, String scores, @Nullable String reason, String createdBy,
                                 Instant createdAt) {
        public static EvaluationView of(Evaluation e) {
            return new EvaluationView(e.id(), e.passed(), e.scores(), e.reason(), e.createdBy(), e.createdAt());
        }
    }
}

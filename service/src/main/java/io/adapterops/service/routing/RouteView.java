package io.adapterops.service.routing;

import io.adapterops.service.registry.VersionRef;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;

/** A route as the API shows it: who answers, who is on canary, who shadows. */
@Serdeable
public record RouteView(String name, String baseModel, @Nullable String description, @Nullable Member champion,
                        @Nullable Member challenger, int challengerPercent, List<Member> shadows,
                        @Nullable Integer maxPromptTokens, @Nullable Integer maxNewTokens, String createdBy,
                        Instant createdAt) {

    @Serdeable
    public record Member(String adapter, int version, String state) {
        public static Member of(@Nullable VersionRef ref) {
            return ref == null ? null : new Member(ref.adapter().name(), ref.version().number(),
                    ref.version().state().name());
        }
    }
}

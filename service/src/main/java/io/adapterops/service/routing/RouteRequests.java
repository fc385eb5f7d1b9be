package io.adapterops.service.routing;

import io.adapterops.service.registry.RegistryRequests;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the route API. */
public final class RouteRequests {
    private RouteRequests() {
    }

    @Serdeable
    public record CreateRoute(@NotBlank @Pattern(regexp = RegistryRequests.NAME) String name,
                              @NotBlank @Size(max = 300) String baseModel,
                              @Nullable @Size(max = 2000) String description,
                              @Nullable @Min(1) Integer maxPromptTokens,
                              @Nullable @Min(1) Integer maxNewTokens) {
    }

    /** Per-request token limits of a route; null falls back to the service's defaults. */
    @Serdeable
    public record SetLimits(@Nullable @Min(1) Integer maxPromptTokens, @Nullable @Min(1) Integer maxNewTokens,
                            @Nullable @Size(max = 2000) String reason) {
    }

    /** Names a version: adapter name and version number. */
    @Serdeable
    public record SetChampion(@NotBlank String adapter, @NotNull @Min(1) Integer version,
                              @Nullable @Size(max = 2000) String reason) {
    }

    @Serdeable
    public record SetChallenger(@NotBlank String adapter, @NotNull @Min(1) Integer version,
                                @NotNull @Min(1) @Max(100) Integer trafficPercent,
                                @Nullable @Size(max = 2000) String reason) {
    }

    @Serdeable
    public record AddShadow(@NotBlank String adapter, @NotNull @Min(1) Integer version,
                            @Nullable @Size(max = 2000) String reason) {
    }
}

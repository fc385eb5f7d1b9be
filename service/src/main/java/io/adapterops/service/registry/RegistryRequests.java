package io.adapterops.service.registry;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.Map;

/** Request bodies of the registry API; unknown fields are refused (serde is configured strict). */
public final class RegistryRequests {
    public static final String NAME = "[a-z0-9][a-z0-9._-]{0,99}";

    private RegistryRequests() {
    }

    @Serdeable
    public record CreateAdapter(@NotBlank @Pattern(regexp = NAME) String name,
                                @NotBlank @Size(max = 300) String baseModel,
                                @Nullable @Size(max = 2000) String description) {
    }

    @Serdeable
    public record RegisterVersion(@NotBlank @Size(max = 1000) String artifactUri,
                                  @Nullable Long trainingJobId,
                                  @Nullable @Size(max = 2000) String description) {
    }

    @Serdeable
    public record Evaluate(@NotNull Boolean passed, @Nullable @Size(max = 200) Map<String, Double> scores,
                           @Nullable @Size(max = 2000) String reason) {
    }

    @Serdeable
    public record Shadow(@NotBlank @Pattern(regexp = NAME) String route, @Nullable @Size(max = 2000) String reason) {
    }

    @Serdeable
    public record Canary(@NotNull @Min(1) @Max(100) Integer trafficPercent, @Nullable @Size(max = 2000) String reason) {
    }

    @Serdeable
    public record RequestApproval(@Nullable @Pattern(regexp = NAME) String route,
                                  @Nullable @Size(max = 2000) String reason) {
    }

    /** Decisions that may give a reason (approve, retire, unshadow). */
    @Serdeable
    public record Decision(@Nullable @Size(max = 2000) String reason) {
    }

    /** Decisions that must say why (reject, rollback). */
    @Serdeable
    public record Justified(@NotBlank @Size(max = 2000) String reason) {
    }
}

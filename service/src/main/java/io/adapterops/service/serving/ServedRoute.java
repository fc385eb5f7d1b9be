package io.adapterops.service.serving;

import io.micronaut.core.annotation.Nullable;

import java.util.List;

/**
 * A route as serving sees it at one instant: its members with their arms, read in one statement
 * so champion, challenger and shadows are consistent with each other.
 */
public record ServedRoute(String name, String baseModel, int challengerPercent, @Nullable Integer maxPromptTokens,
                          @Nullable Integer maxNewTokens, List<Member> members) {

    public enum Arm {
        CHAMPION, CHALLENGER, SHADOW;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A version on the route; {@code engineName} is how the inference engine knows its adapter. */
    public record Member(Arm arm, String adapter, int version, String artifactUri) {
        public String engineName() {
            return adapter + "@" + version;
        }
    }

    public @Nullable Member champion() {
        return first(Arm.CHAMPION);
    }

    public @Nullable Member challenger() {
        return first(Arm.CHALLENGER);
    }

    public List<Member> shadows() {
        return members.stream().filter(m -> m.arm() == Arm.SHADOW).toList();
    }

    private Member first(Arm arm) {
        return members.stream().filter(m -> m.arm() == arm).findFirst().orElse(null);
    }
}

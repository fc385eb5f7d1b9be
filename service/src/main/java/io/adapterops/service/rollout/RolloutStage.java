package io.adapterops.service.rollout;

/**
 * Where a rollout stands. The first four are worked on by the scheduled steps; the others are final:
 * the candidate waits for an approver, was promoted (routes that opt in), or the rollout stopped
 * (training or evaluation failed, the gate or an analysis failed, or someone moved the version by hand).
 */
public enum RolloutStage {
    TRAINING, EVALUATING, SHADOW, CANARY, PENDING_APPROVAL, PROMOTED, STOPPED;

    public boolean active() {
        return this == TRAINING || this == EVALUATING || this == SHADOW || this == CANARY;
    }
}

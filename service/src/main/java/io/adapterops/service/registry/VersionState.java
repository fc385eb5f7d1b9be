package io.adapterops.service.registry;

/** Where an adapter version stands on its way to users (see DESIGN.md, "The lifecycle, as state"). */
public enum VersionState {
    REGISTERED, EVALUATED, SHADOW, CANARY, PENDING_APPROVAL, CHAMPION, RETIRED, REJECTED, ROLLED_BACK
}

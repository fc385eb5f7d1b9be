package io.adapterops.service.registry;

import io.adapterops.service.web.ApiException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest {
    @Test
    void evaluationMovesToEvaluatedOrRejectedAndNowhereElse() {
        assertDoesNotThrow(() -> Lifecycle.check("v", VersionState.REGISTERED, Action.EVALUATE, VersionState.EVALUATED));
        assertDoesNotThrow(() -> Lifecycle.check("v", VersionState.REGISTERED, Action.EVALUATE, VersionState.REJECTED));
        assertThrows(ApiException.class,
                () -> Lifecycle.check("v", VersionState.REGISTERED, Action.EVALUATE, VersionState.CHAMPION));
    }

    @Test
    void anIllegalMoveNamesTheStateAndTheLegalMoves() {
        ApiException e = assertThrows(ApiException.class,
                () -> Lifecycle.check("adapter:a:v1", VersionState.SHADOW, Action.APPROVE, VersionState.CHAMPION));
        assertEquals(409, e.status());
        assertEquals("SHADOW", e.extensions().get("currentState"));
        assertEquals(List.of("unshadow", "canary", "reject"), e.extensions().get("legalMoves"));
        assertTrue(e.getMessage().contains("adapter:a:v1"));
    }

    @Test
    void terminalStatesAllowNoUserMoveAndRestoreIsNeverOffered() {
        assertEquals(List.of(), Lifecycle.legalActions(VersionState.REJECTED));
        assertEquals(List.of(), Lifecycle.legalActions(VersionState.ROLLED_BACK));
        assertEquals(List.of(), Lifecycle.legalActions(VersionState.RETIRED));
        assertEquals(List.of("rollback", "retire"), Lifecycle.legalActions(VersionState.CHAMPION));
    }
}

package io.adapterops.service.registry;

import io.adapterops.service.web.ApiException;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.adapterops.service.registry.Action.APPROVE;
import static io.adapterops.service.registry.Action.CANARY;
import static io.adapterops.service.registry.Action.EVALUATE;
import static io.adapterops.service.registry.Action.REJECT;
import static io.adapterops.service.registry.Action.REQUEST_APPROVAL;
import static io.adapterops.service.registry.Action.RESTORE;
import static io.adapterops.service.registry.Action.RETIRE;
import static io.adapterops.service.registry.Action.ROLLBACK;
import static io.adapterops.service.registry.Action.SHADOW;
import static io.adapterops.service.registry.Action.UNSHADOW;


/**
 * The one place that knows the legal moves of an adapter version. Everything else asks it.
 *
 * <pre>
 * REGISTERED ─evaluate─▶ EVALUATED ─shadow─▶ SHADOW ─canary─▶ CANARY ─request-approval─▶ PENDING_APPROVAL
 *      │  (gate failed)       │  └─request-approval (route's first version)──────────────────▲      │
 *      └──────────────▶ REJECTED ◀── reject (from any state before CHAMPION) ◀──────────────┘ approve
 *                                                                                                   ▼
 *            RETIRED ◀─retire / replaced─ CHAMPION ─rollback─▶ ROLLED_BACK
 *               └──────restore (a rollback puts the previous champion back)──▶ CHAMPION
 * </pre>
 * {@code unshadow} takes a version off a route's shadows (SHADOW → EVALUATED).
 */
public final class Lifecycle {
    private static final Map<VersionState, Map<Action, Set<VersionState>>> MOVES = new EnumMap<>(VersionState.class);

    static {
        move(VersionState.REGISTERED, EVALUATE, VersionState.EVALUATED, VersionState.REJECTED);
        move(VersionState.REGISTERED, REJECT, VersionState.REJECTED);
        move(VersionState.EVALUATED, SHADOW, VersionState.SHADOW);
        move(VersionState.EVALUATED, REQUEST_APPROVAL, VersionState.PENDING_APPROVAL);
        move(VersionState.EVALUATED, REJECT, VersionState.REJECTED);
        move(VersionState.SHADOW, UNSHADOW, VersionState.EVALUATED);
        move(VersionState.SHADOW, CANARY, VersionState.CANARY);
        move(VersionState.SHADOW, REJECT, VersionState.REJECTED);
        move(VersionState.CANARY, REQUEST_APPROVAL, VersionState.PENDING_APPROVAL);
        move(VersionState.CANARY, REJECT, VersionState.REJECTED);
        move(VersionState.PENDING_APPROVAL, APPROVE, VersionState.CHAMPION);
        move(VersionState.PENDING_APPROVAL, REJECT, VersionState.REJECTED);
        move(VersionState.CHAMPION, ROLLBACK, VersionState.ROLLED_BACK);
        move(VersionState.CHAMPION, RETIRE, VersionState.RETIRED);
        move(VersionState.RETIRED, RESTORE, VersionState.CHAMPION);
    }

    private Lifecycle() {
    }

    private static void move(VersionState from, Action action, VersionState... to) {
        MOVES.computeIfAbsent(from, s -> new EnumMap<>(Action.class)).put(action, EnumSet.of(to[0], to));
    }

    /** The actions a person may take from a state, in declaration order (system moves excluded). */
    public static List<String> legalActions(VersionState from) {
        return MOVES.getOrDefault(from, Map.of()).keySet().stream()
                .filter(a -> a != RESTORE).map(Action::verb).toList();
    }

    /** Every legal move, for the API and docs: state → action → possible targets. */
    public static Map<String, Map<String, List<String>>> table() {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        for (VersionState s : VersionState.values()) {
            Map<String, List<String>> actions = new LinkedHashMap<>();
            MOVES.getOrDefault(s, Map.of()).forEach((a, to) -> actions.put(a.verb(),
                    to.stream().map(Enum::name).toList()));
            out.put(s.name(), actions);
        }
        return out;
    }

    /**
     * Checks that {@code action} may move a version from {@code from} to {@code to}; otherwise a 409
     * that names the current state and the legal moves from it.
     */
    public static void check(String subject, VersionState from, Action action, VersionState to) {
        Set<VersionState> targets = MOVES.getOrDefault(from, Map.of()).get(action);
        if (targets == null || !targets.contains(to)) {
            Map<String, Object> ext = new LinkedHashMap<>();
            ext.put("currentState", from.name());
            ext.put("legalMoves", legalActions(from));
            throw ApiException.conflict("illegal-transition", "cannot " + action.verb() + " " + subject
                    + ": it is " + from + "; legal moves from " + from + " are " + legalActions(from), ext);
        }
    }
}

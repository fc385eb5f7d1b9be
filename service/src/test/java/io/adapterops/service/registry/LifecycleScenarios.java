package io.adapterops.service.registry;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lifecycle through the real API; subclasses run it on H2 and on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LifecycleScenarios {
    private static final List<String> VERBS = Arrays.stream(Action.values())
            .filter(a -> a != Action.RESTORE).map(Action::verb).toList();

    TestServer server;
    Api api;

    abstract Map<String, Object> database(Path dataDir) throws Exception;

    abstract void dropDatabase() throws Exception;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        server = TestServer.start(database(dir));
        api = new Api(server);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        dropDatabase();
    }

    /** Tries every verb that is not legal from the version's state: each is a 409 naming the state. */
    private void everyIllegalMoveRefused(String adapter, int v, String route) {
        String state = api.state(adapter, v);
        List<String> legal = Lifecycle.legalActions(VersionState.valueOf(state));
        for (String verb : VERBS) {
            if (legal.contains(verb)) {
                continue;
            }
            Reply r = api.act(adapter, v, verb, api.admin, Api.bodyFor(verb, route));
            assertEquals(409, r.status(), () -> verb + " from " + state + ": " + r);
            assertEquals("application/problem+json", r.contentType());
            assertEquals(state, r.get("currentState"), verb + " from " + state);
            assertEquals(legal, r.get("legalMoves"), verb + " from " + state);
            assertEquals(state, api.state(adapter, v), "a refused " + verb + " changed the state");
        }
    }

    private void move(String adapter, int v, String verb, String token, Map<String, Object> body, String expected) {
        everyIllegalMoveRefused(adapter, v, (String) body.get("route"));
        Reply r = expect(200, api.act(adapter, v, verb, token, body));
        assertEquals(expected, r.get("state"), verb);
    }

    @Test
    void walksEveryLegalTransitionAndRefusesEveryIllegalOne() {
        String route = api.route();
        String other = api.route();
        String a = api.adapter();

        int v1 = api.register(a);
        move(a, v1, "evaluate", api.admin, Map.of("passed", true, "scores", Map.of("rougeL", 0.41)), "EVALUATED");
        move(a, v1, "request-approval", api.requester, Map.of("route", route), "PENDING_APPROVAL");
        move(a, v1, "approve", api.approver, Map.of("reason", "first version"), "CHAMPION");

        int v2 = api.register(a);
        move(a, v2, "evaluate", api.admin, Map.of("passed", true), "EVALUATED");
        move(a, v2, "shadow", api.requester, Map.of("route", route), "SHADOW");
        move(a, v2, "unshadow", api.requester, Map.of(), "EVALUATED");
        move(a, v2, "shadow", api.requester, Map.of("route", route), "SHADOW");
        move(a, v2, "canary", api.requester, Map.of("trafficPercent", 25), "CANARY");
        move(a, v2, "request-approval", api.requester, Map.of(), "PENDING_APPROVAL");
        move(a, v2, "approve", api.approver, Map.of(), "CHAMPION");
        assertEquals("RETIRED", api.state(a, v1), "the replaced champion retires");
        everyIllegalMoveRefused(a, v1, route);

        move(a, v2, "rollback", api.approver, Map.of("reason", "refusal rate up 9%"), "ROLLED_BACK");
        assertEquals("CHAMPION", api.state(a, v1), "rollback restores the previous champion");
        everyIllegalMoveRefused(a, v2, route);
        Map<String, Object> champion = (Map<String, Object>) expect(200, server.get("/api/v1/routes/" + route, api.admin))
                .get("champion");
        assertEquals(v1, ((Number) champion.get("version")).intValue());

        int rejectedAtRegistration = api.register(a);
        move(a, rejectedAtRegistration, "reject", api.approver, Map.of("reason", "wrong base"), "REJECTED");
        everyIllegalMoveRefused(a, rejectedAtRegistration, route);
        int failedGate = api.register(a);
        move(a, failedGate, "evaluate", api.admin, Map.of("passed", false, "reason", "rougeL -8%"), "REJECTED");
        for (String from : List.of("EVALUATED", "SHADOW", "CANARY", "PENDING_APPROVAL")) {
            int v = api.evaluated(a);
            if (!from.equals("EVALUATED")) {
                expect(200, api.act(a, v, "shadow", api.requester, Map.of("route", route)));
            }
            if (from.equals("CANARY") || from.equals("PENDING_APPROVAL")) {
                expect(200, api.act(a, v, "canary", api.requester, Map.of("trafficPercent", 5)));
            }
            if (from.equals("PENDING_APPROVAL")) {
                expect(200, api.act(a, v, "request-approval", api.requester, Map.of()));
            }
            assertEquals(from, api.state(a, v));
            move(a, v, "reject", api.approver, Map.of("reason", "not better"), "REJECTED");
        }

        // retire: a champion that no route uses any more (moved off its route by the route API).
        int onOther = api.firstChampion(a, other);
        expect(200, server.call("PUT", "/api/v1/routes/" + other + "/champion", api.admin,
                server.json(Map.of("adapter", a, "version", v1))));
        assertEquals("CHAMPION", api.state(a, onOther));
        move(a, onOther, "retire", api.approver, Map.of("reason", "superseded"), "RETIRED");

        List<Map<String, Object>> trail = api.audit("adapter:" + a + ":v" + v2);
        assertEquals(List.of("version.registered", "version.evaluate", "version.shadow", "version.unshadow",
                        "version.shadow", "version.canary", "version.request-approval", "version.approve",
                        "version.rollback"),
                trail.stream().map(e -> e.get("action")).toList());
        assertEquals("ROLLED_BACK", trail.get(trail.size() - 1).get("toState"));
        assertEquals("refusal rate up 9%", trail.get(trail.size() - 1).get("reason"));
    }

    @Test
    void rollbackOfARoutesFirstChampionIsRefused() {
        String route = api.route();
        String a = api.adapter();
        int v1 = api.firstChampion(a, route);
        Reply r = api.act(a, v1, "rollback", api.approver, Map.of("reason", "bad"));
        assertEquals(409, r.status(), r::toString);
        assertEquals(route, r.get("route"));
        assertTrue(((String) r.get("detail")).contains("no previous champion"), r::toString);
        assertEquals("CHAMPION", api.state(a, v1));
    }

    @Test
    void approvalBySamePersonWhoRequestedItIsForbidden() {
        String route = api.route();
        String a = api.adapter();
        int v = api.evaluated(a);
        String both = server.token(Api.unique("both"), "operator", "approver");
        expect(200, api.act(a, v, "request-approval", both, Map.of("route", route)));
        Reply r = api.act(a, v, "approve", both, Map.of());
        assertEquals(403, r.status(), r::toString);
        assertTrue(((String) r.get("detail")).contains("different person"), r::toString);
        assertEquals("PENDING_APPROVAL", api.state(a, v));
    }

    @Test
    void rollbackRestoresThePreviousChampionOnEveryRouteTheVersionServed() {
        String r1 = api.route();
        String r2 = api.route();
        String a = api.adapter();
        int v1 = api.firstChampion(a, r1);
        expect(200, server.call("PUT", "/api/v1/routes/" + r2 + "/champion", api.admin,
                server.json(Map.of("adapter", a, "version", v1))));
        int v2 = api.pending(a, r1);
        expect(200, api.act(a, v2, "approve", api.approver, Map.of()));
        assertEquals("CHAMPION", api.state(a, v1), "v1 still serves r2");
        expect(200, server.call("PUT", "/api/v1/routes/" + r2 + "/champion", api.admin,
                server.json(Map.of("adapter", a, "version", v2))));

        expect(200, api.act(a, v2, "rollback", api.approver, Map.of("reason", "latency")));
        for (String route : List.of(r1, r2)) {
            Map<?, ?> champion = (Map<?, ?>) expect(200, server.get("/api/v1/routes/" + route, api.admin)).get("champion");
            assertEquals(v1, ((Number) champion.get("version")).intValue(), route);
        }
        assertEquals("ROLLED_BACK", api.state(a, v2));
    }

    @Test
    void twoRacingApprovalsHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            String route = api.route();
            String a = api.adapter();
            api.firstChampion(a, route);
            int w = api.pending(a, route);
            String other = server.token(Api.unique("approver"), "approver");
            List<Reply> replies = race(
                    () -> api.act(a, w, "approve", api.approver, Map.of()),
                    () -> api.act(a, w, "approve", other, Map.of()));
            assertEquals(List.of(200, 409), statuses(replies), replies::toString);
            long approvals = api.audit("adapter:" + a + ":v" + w).stream()
                    .filter(e -> e.get("action").equals("version.approve")).count();
            assertEquals(1, approvals, "audit events of the approvals");
            assertEquals("CHAMPION", api.state(a, w));
        }
    }

    @Test
    void anApprovalRacingARollbackHasExactlyOneWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            String route = api.route();
            String a = api.adapter();
            int p = api.firstChampion(a, route);
            int v = api.pending(a, route);
            expect(200, api.act(a, v, "approve", api.approver, Map.of()));
            int w = api.pending(a, route);
            List<Reply> replies = race(
                    () -> api.act(a, w, "approve", api.approver, Map.of()),
                    () -> api.act(a, v, "rollback", api.approver, Map.of("reason", "race")));
            assertEquals(List.of(200, 409), statuses(replies), replies::toString);
            boolean approveWon = replies.get(0).status() == 200;
            List<Object> vActions = api.audit("adapter:" + a + ":v" + v).stream().map(e -> e.get("action")).toList();
            List<Object> wActions = api.audit("adapter:" + a + ":v" + w).stream().map(e -> e.get("action")).toList();
            List<Object> pActions = api.audit("adapter:" + a + ":v" + p).stream().map(e -> e.get("action")).toList();
            if (approveWon) {
                assertEquals("CHAMPION", api.state(a, w));
                assertEquals("RETIRED", api.state(a, v));
                assertEquals("version.retire", vActions.get(vActions.size() - 1));
                assertTrue(wActions.contains("version.approve"));
                assertTrue(!pActions.contains("version.restore"));
            } else {
                assertEquals("PENDING_APPROVAL", api.state(a, w));
                assertEquals("ROLLED_BACK", api.state(a, v));
                assertEquals("CHAMPION", api.state(a, p));
                assertTrue(!wActions.contains("version.approve"));
                assertEquals("version.restore", pActions.get(pActions.size() - 1));
            }
        }
    }

    private static List<Integer> statuses(List<Reply> replies) {
        List<Integer> s = new ArrayList<>(replies.stream().map(Reply::status).toList());
        s.sort(Integer::compare);
        return s;
    }

    @SafeVarargs
    private static List<Reply> race(Callable<Reply>... calls) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(calls.length);
        ExecutorService pool = Executors.newFixedThreadPool(calls.length);
        try {
            List<Future<Reply>> futures = new ArrayList<>();
            for (Callable<Reply> call : calls) {
                futures.add(pool.submit(() -> {
                    barrier.await();
                    return call.call();
                }));
            }
            List<Reply> out = new ArrayList<>();
            for (Future<Reply> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.adapterops.service.support;

import io.adapterops.service.support.TestServer.Reply;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Short-hands for driving the lifecycle through the HTTP API in tests. */
public final class Api {
    public static final String BASE = "tiny-llama";
    private static final AtomicInteger SEQ = new AtomicInteger();

    public final TestServer server;
    public final String admin;
    public final String requester;
    public final String approver;

    public Api(TestServer server) {
        this(server, TestServer.ADMIN_TOKEN);
    }

    public Api(TestServer server, String adminToken) {
        this.server = server;
        this.admin = adminToken;
        int n = SEQ.incrementAndGet();
        this.requester = server.tokenIssuedBy(adminToken, "requester-" + n, "operator");
        this.approver = server.tokenIssuedBy(adminToken, "approver-" + n, "approver");
    }

    public static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    public String route() {
        String name = unique("route");
        expect(201, server.post("/api/v1/routes", admin, server.json(Map.of("name", name, "baseModel", BASE))));
        return name;
    }

    public String adapter() {
        String name = unique("adapter");
        expect(201, server.post("/api/v1/adapters", admin, server.json(Map.of("name", name, "baseModel", BASE))));
        return name;
    }

    public int register(String adapter) {
        return register(adapter, "file:///adapters/" + adapter);
    }

    public int register(String adapter, String artifactUri) {
        Reply r = expect(201, server.post("/api/v1/adapters/" + adapter + "/versions", admin,
                server.json(Map.of("artifactUri", artifactUri))));
        return ((Number) r.get("version")).intValue();
    }

    /** A version with a real PEFT folder (see {@link TestAdapters}), evaluated and ready for a route. */
    public int servable(String adapter) {
        try {
            int v = register(adapter, TestAdapters.write(server, BASE, unique(adapter)));
            expect(200, act(adapter, v, "evaluate"));
            return v;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A fresh route whose champion is version 1 of a fresh adapter with a real artifact. */
    public Served servedRoute() {
        String route = route();
        String adapter = adapter();
        int v = servable(adapter);
        expect(200, act(adapter, v, "request-approval", requester, Map.of("route", route)));
        expect(200, act(adapter, v, "approve", approver, Map.of()));
        return new Served(route, adapter, v);
    }

    /** A route that serves, with its champion's adapter and version. */
    public record Served(String route, String adapter, int version) {
    }

    /** A new servable version of {@code adapter} put on {@code route} as challenger at {@code percent}. */
    public int challenger(String adapter, String route, int percent) {
        int v = servable(adapter);
        expect(200, act(adapter, v, "shadow", requester, Map.of("route", route)));
        expect(200, act(adapter, v, "canary", requester, Map.of("trafficPercent", percent)));
        return v;
    }

    /** A new servable version of {@code adapter} put on {@code route} as a shadow. */
    public int shadow(String adapter, String route) {
        int v = servable(adapter);
        expect(200, act(adapter, v, "shadow", requester, Map.of("route", route)));
        return v;
    }

    public Reply act(String adapter, int version, String verb, String token, Map<String, Object> body) {
        return server.post(path(adapter, version) + "/" + verb, token, server.json(body));
    }

    public Reply act(String adapter, int version, String verb) {
        return act(adapter, version, verb, admin, bodyFor(verb, null));
    }

    public static String path(String adapter, int version) {
        return "/api/v1/adapters/" + adapter + "/versions/" + version;
    }

    /** A valid body for each verb, so a refusal can only come from the state or the role. */
    public static Map<String, Object> bodyFor(String verb, String route) {
        Map<String, Object> body = new HashMap<>();
        switch (verb) {
            case "evaluate" -> body.put("passed", true);
            case "shadow" -> body.put("route", route == null ? "no-such-route" : route);
            case "canary" -> body.put("trafficPercent", 10);
            case "request-approval" -> {
                if (route != null) {
                    body.put("route", route);
                }
            }
            case "reject", "rollback" -> body.put("reason", "test");
            default -> {
            }
        }
        return body;
    }

    public String state(String adapter, int version) {
        return (String) expect(200, server.get(path(adapter, version), admin)).get("state");
    }

    /** Registered and evaluated, ready for a route. */
    public int evaluated(String adapter) {
        int v = register(adapter);
        expect(200, act(adapter, v, "evaluate"));
        return v;
    }

    /** Makes a fresh route whose first champion is a new version of {@code adapter}. */
    public int firstChampion(String adapter, String route) {
        int v = evaluated(adapter);
        expect(200, act(adapter, v, "request-approval", requester, Map.of("route", route)));
        expect(200, act(adapter, v, "approve", approver, Map.of()));
        return v;
    }

    /** A new version of {@code adapter} brought to PENDING_APPROVAL on a route that has a champion. */
    public int pending(String adapter, String route) {
        int v = evaluated(adapter);
        expect(200, act(adapter, v, "shadow", requester, Map.of("route", route)));
        expect(200, act(adapter, v, "canary", requester, Map.of("trafficPercent", 20)));
        expect(200, act(adapter, v, "request-approval", requester, Map.of()));
        return v;
    }

    public List<Map<String, Object>> audit(String subject) {
        Reply r = expect(200, server.get("/api/v1/audit?size=200&subject=" + subject, admin));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) r.get("items");
        return items;
    }

    /** Follows a training job until it has ended, asserts it SUCCEEDED and returns the adapter version it made. */
    public static int trainedVersion(TestServer server, String token, Object job) throws InterruptedException {
        Reply done = null;
        for (int i = 0; i < 1200; i++) {
            done = expect(200, server.get("/api/v1/training-jobs/" + job, token));
            if (!List.of("QUEUED", "RUNNING").contains(done.get("status"))) {
                break;
            }
            Thread.sleep(100);
        }
        Reply last = done;
        assertEquals("SUCCEEDED", last.get("status"), last::toString);
        return ((Number) last.get("adapterVersion")).intValue();
    }

    public static Reply expect(int status, Reply reply) {
        assertEquals(status, reply.status(), () -> "unexpected reply: " + reply);
        return reply;
    }
}

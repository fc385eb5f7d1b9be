package io.adapterops.service.serving;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sticky A/B on two service instances over one PostgreSQL database: the challenger's share of
 * 10,000 users matches its weight, each user keeps their arm on both instances and after a
 * restart, and a canary change made through one instance shows on the other's next request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StickyAbTest {
    private static final int PERCENT = 30;
    private TestDatabases.PgSchema pg;
    private Path dir;
    private TestServer a;
    private TestServer b;
    private Api api;
    private Api.Served served;
    private int challenger;
    private String app;

    @BeforeAll
    void start(@TempDir Path dir) {
        this.dir = dir;
        pg = TestDatabases.postgres();
        a = TestServer.start(pg.properties(dir));
        b = TestServer.start(pg.properties(dir));
        api = new Api(a);
        served = api.servedRoute();
        challenger = api.challenger(served.adapter(), served.route(), PERCENT);
        app = a.token(Api.unique("app"), "inference");
    }

    @AfterAll
    void stop() throws Exception {
        a.close();
        b.close();
        TestDatabases.dropSchema(pg);
    }

    private String arm(TestServer server, String user) {
        HttpResponse<String> r = new Inference(server).post("/v1/completions", app, server.json(Map.of(
                "model", served.route(), "prompt", "hi", "max_tokens", 1, "user", user)));
        assertEquals(200, r.statusCode(), r.body());
        String arm = r.headers().firstValue("x-adapterops-arm").orElseThrow();
        String version = r.headers().firstValue("x-adapterops-version").orElseThrow();
        assertEquals(arm.equals("challenger") ? challenger : served.version(), Integer.parseInt(version), arm);
        return arm;
    }

    @Test
    void tenThousandUsersSplitByTheWeightAndEachKeepsTheirArmOnBothInstancesAndAfterARestart() {
        ServedRoute route = a.context().getBean(ServedRoutes.class).find(served.route()).orElseThrow();
        ArmAssignment onA = a.context().getBean(ArmAssignment.class);
        ArmAssignment onB = b.context().getBean(ArmAssignment.class);
        int challengers = 0;
        for (int u = 0; u < 10_000; u++) {
            ServedRoute.Member first = onA.choose(route, "user-" + u);
            assertEquals(first, onA.choose(route, "user-" + u), "the same user, the same arm");
            assertEquals(first, onB.choose(route, "user-" + u), "the same arm on the other instance");
            challengers += first.arm() == ServedRoute.Arm.CHALLENGER ? 1 : 0;
        }
        double share = challengers / 100.0;
        System.out.printf("challenger share over 10,000 users: %.2f%% (weight %d%%)%n", share, PERCENT);
        assertTrue(Math.abs(share - PERCENT) <= 2, "share " + share);

        Map<String, String> seen = new LinkedHashMap<>();
        for (int u = 0; u < 40; u++) {
            String user = "http-user-" + u;
            String armA = arm(a, user);
            assertEquals(armA, arm(b, user), user + " on the second instance");
            assertEquals(armA, onA.choose(route, user).arm().tag(), user + " as the hash decides");
            seen.put(user, armA);
        }
        System.out.println("over HTTP, 40 users on both instances: " + seen.values().stream()
                .filter("challenger"::equals).count() + " on the challenger");
        assertTrue(seen.containsValue("challenger") && seen.containsValue("champion"), seen::toString);

        b.close();
        b = TestServer.start(pg.properties(dir));
        seen.forEach((user, arm) -> assertEquals(arm, arm(b, user), user + " after a restart"));
    }

    @Test
    void aCanaryChangeThroughOneInstanceTakesEffectOnTheOthersNextRequest() {
        String user = null;
        for (int u = 0; user == null; u++) {
            int bucket = ArmAssignment.bucket(served.route(), "mover-" + u);
            if (bucket >= PERCENT && bucket < 90) {
                user = "mover-" + u;
            }
        }
        assertEquals("champion", arm(b, user));
        expect(200, a.call("PUT", "/api/v1/routes/" + served.route() + "/challenger", api.admin, a.json(Map.of(
                "adapter", served.adapter(), "version", challenger, "trafficPercent", 90))));
        assertEquals("challenger", arm(b, user), "the other instance reads the new share on its next request");
        expect(200, a.call("PUT", "/api/v1/routes/" + served.route() + "/challenger", api.admin, a.json(Map.of(
                "adapter", served.adapter(), "version", challenger, "trafficPercent", PERCENT))));
        assertEquals("champion", arm(b, user));
    }

    @Test
    void feedbackOnTheOtherInstanceRightAfterTheAnswerFindsTheRequest() {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answered = new Inference(a).post("/v1/completions", app, a.json(Map.of(
                    "model", served.route(), "prompt", "hi", "max_tokens", 1, "user", "rater-" + i)));
            assertEquals(200, answered.statusCode(), answered.body());
            String id = answered.headers().firstValue("x-request-id").orElseThrow();
            HttpResponse<String> rated = new Inference(b).post("/v1/feedback", app, b.json(Map.of("request_id", id,
                    "rating", "up")));
            assertEquals(201, rated.statusCode(), "feedback " + i + " on the other instance: " + rated.body());
        }
        HttpResponse<String> unknown = new Inference(b).post("/v1/feedback", app, b.json(Map.of("request_id",
                "cmpl-unknown", "rating", "up")));
        assertEquals(404, unknown.statusCode(), unknown.body());
        System.out.println("feedback on the other instance right after the answer: 20 of 20 found; unknown id "
                + unknown.statusCode());
    }
}

package io.adapterops.service.web;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad bodies get problem details naming the field, and leave no row behind. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private static final List<String> TABLES = List.of("adapter", "adapter_version", "route", "dataset",
            "training_job", "api_token", "audit_event", "evaluation");
    private TestServer server;
    private Api api;

    @BeforeAll
    void start(@TempDir Path dir) {
        server = TestServer.start(TestDatabases.h2(dir));
        api = new Api(server);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Map<String, Long> counts() {
        Map<String, Long> c = new LinkedHashMap<>();
        TABLES.forEach(t -> c.put(t, server.rows(t)));
        return c;
    }

    private Reply refused(int status, String method, String path, String body, String field) {
        Map<String, Long> before = counts();
        Reply r = server.call(method, path, api.admin, body);
        String shown = body == null ? "" : body.substring(0, Math.min(80, body.length()));
        assertEquals(status, r.status(), () -> path + " " + shown + ": " + r);
        assertEquals("application/problem+json", r.contentType(), r::toString);
        assertEquals(status, ((Number) r.get("status")).intValue());
        assertTrue(r.get("detail") instanceof String s && !s.isBlank(), r::toString);
        if (field != null) {
            assertEquals(field, r.get("field"), r::toString);
        }
        assertEquals(before, counts(), "nothing may be written by a refused request");
        return r;
    }

    @Test
    void malformedJsonIsA400() {
        refused(400, "POST", "/api/v1/adapters", "{\"name\": \"x\", ", null);
        refused(400, "POST", "/api/v1/routes", "not json at all", null);
    }

    @Test
    void unknownFieldsAreNamed() {
        refused(400, "POST", "/api/v1/adapters", "{\"name\":\"a1\",\"baseModel\":\"b\",\"colour\":\"red\"}", "colour");
        refused(400, "POST", "/api/v1/routes", "{\"name\":\"r1\",\"baseModel\":\"b\",\"weight\":3}", "weight");
    }

    @Test
    void missingFieldsAreNamed() {
        refused(400, "POST", "/api/v1/adapters", "{\"baseModel\":\"b\"}", "name");
        refused(400, "POST", "/api/v1/adapters", "{\"name\":\"a2\"}", "baseModel");
        refused(400, "POST", "/api/v1/datasets", "{\"name\":\"d1\"}", "format");
        String a = api.adapter();
        int v = api.register(a);
        refused(400, "POST", Api.path(a, v) + "/evaluate", "{}", "passed");
        refused(400, "POST", Api.path(a, v) + "/reject", "{}", "reason");
    }

    @Test
    void wrongTypesAreNamed() {
        String a = api.adapter();
        int v = api.evaluated(a);
        refused(400, "POST", Api.path(a, v) + "/evaluate", "{\"passed\":\"perhaps\"}", "passed");
        refused(400, "POST", "/api/v1/datasets", "{\"name\":\"d2\",\"format\":\"EXCEL\"}", "format");
        refused(400, "POST", "/api/v1/adapters/" + a + "/versions", "{\"artifactUri\":\"f\",\"trainingJobId\":\"seven\"}",
                "trainingJobId");
        refused(400, "POST", "/api/v1/adapters", "{\"name\":{\"x\":1},\"baseModel\":\"b\"}", "name");
        refused(400, "POST", "/api/v1/adapters", "{\"name\":\"a3\",\"baseModel\":[\"b\", \"c\"]}", "baseModel");
    }

    @Test
    void outOfRangeValuesAreNamed() {
        refused(400, "POST", "/api/v1/adapters", "{\"name\":\"Bad Name!\",\"baseModel\":\"b\"}", "name");
        String a = api.adapter();
        String route = api.route();
        api.firstChampion(a, route);
        int v = api.evaluated(a);
        Api.expect(200, api.act(a, v, "shadow", api.requester, Map.of("route", route)));
        refused(400, "POST", Api.path(a, v) + "/canary", "{\"trafficPercent\":101}", "trafficPercent");
        refused(400, "POST", Api.path(a, v) + "/canary", "{\"trafficPercent\":\"ten\"}", "trafficPercent");
        refused(400, "GET", "/api/v1/adapters?size=100000", null, "size");
    }

    @Test
    void bodiesOverOneMebibyteAreA413() {
        String big = "{\"name\":\"a4\",\"baseModel\":\"" + "x".repeat(1_100_000) + "\"}";
        refused(413, "POST", "/api/v1/adapters", big, null);
    }
}

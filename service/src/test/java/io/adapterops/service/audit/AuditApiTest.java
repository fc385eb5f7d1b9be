package io.adapterops.service.audit;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditApiTest {
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Reply r) {
        return (List<Map<String, Object>>) r.get("items");
    }

    @Test
    void theAuditLogFiltersBySubjectActorAndTimeAndPagesInOrder(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(TestDatabases.h2(dir))) {
            Api api = new Api(server);
            String a = api.adapter();
            int v = api.evaluated(a);
            Instant between = Instant.now();
            Thread.sleep(20);
            String route = api.route();
            expect(200, api.act(a, v, "request-approval", api.requester, Map.of("route", route)));
            expect(200, api.act(a, v, "approve", api.approver, Map.of()));

            String subject = "adapter:" + a + ":v" + v;
            List<Object> actions = items(expect(200, server.get("/api/v1/audit?subject=" + subject, api.admin)))
                    .stream().map(e -> e.get("action")).toList();
            assertEquals(List.of("version.registered", "version.evaluate", "version.request-approval",
                    "version.approve"), actions);

            Reply page0 = expect(200, server.get("/api/v1/audit?subject=" + subject + "&size=3&page=0", api.admin));
            Reply page1 = expect(200, server.get("/api/v1/audit?subject=" + subject + "&size=3&page=1", api.admin));
            assertEquals(4, ((Number) page0.get("total")).intValue());
            assertEquals(3, items(page0).size());
            assertEquals(List.of("version.approve"), items(page1).stream().map(e -> e.get("action")).toList());

            List<Map<String, Object>> byApprover = items(expect(200, server.get("/api/v1/audit?subject=" + subject
                    + "&actor=" + items(page1).get(0).get("actor"), api.admin)));
            assertEquals(1, byApprover.size());
            assertEquals("PENDING_APPROVAL", byApprover.get(0).get("fromState"));
            assertEquals("CHAMPION", byApprover.get(0).get("toState"));

            List<Object> after = items(expect(200, server.get("/api/v1/audit?subject=" + subject + "&from=" + between,
                    api.admin))).stream().map(e -> e.get("action")).toList();
            assertEquals(List.of("version.request-approval", "version.approve"), after);
            List<Object> before = items(expect(200, server.get("/api/v1/audit?subject=" + subject + "&to=" + between,
                    api.admin))).stream().map(e -> e.get("action")).toList();
            assertEquals(List.of("version.registered", "version.evaluate"), before);

            Reply bad = server.get("/api/v1/audit?from=yesterday", api.admin);
            assertEquals(400, bad.status());
            assertEquals("from", bad.get("field"));
            assertTrue(server.call("DELETE", "/api/v1/audit", api.admin, null).status() >= 400,
                    "there is no delete path");
        }
    }
}

package io.adapterops.service.serving;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clients keep calling a route while its champion is rolled back: no request sent after it is answered by it. */
class RollbackUnderLoadTest {

    private record Answer(long sentAt, long answeredAt, int status, String version) {
    }

    @Test
    void afterRollbackNoRequestIsAnsweredByTheRolledBackVersion(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(TestDatabases.h2(dir))) {
            Api api = new Api(server);
            Api.Served served = api.servedRoute();
            int v2 = api.servable(served.adapter());
            expect(200, api.act(served.adapter(), v2, "shadow", api.requester, Map.of("route", served.route())));
            expect(200, api.act(served.adapter(), v2, "canary", api.requester, Map.of("trafficPercent", 50)));
            expect(200, api.act(served.adapter(), v2, "request-approval", api.requester, Map.of()));
            expect(200, api.act(served.adapter(), v2, "approve", api.approver, Map.of()));
            String app = server.token(Api.unique("app"), "inference");
            Inference v1 = new Inference(server);

            int clients = 6;
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                String user = "client-" + c;
                pool.submit(() -> {
                    while (running.get()) {
                        long sent = System.nanoTime();
                        HttpResponse<String> r = v1.post("/v1/chat/completions", app, v1.chat(served.route(), 2, user,
                                false));
                        answers.add(new Answer(sent, System.nanoTime(), r.statusCode(),
                                r.headers().firstValue("x-adapterops-version").orElse("none")));
                    }
                });
            }
            while (answers.stream().filter(a -> a.version().equals(String.valueOf(v2))).count() < 10) {
                Thread.sleep(50);
            }
            long rollbackSent = System.nanoTime();
            expect(200, api.act(served.adapter(), v2, "rollback", api.approver, Map.of("reason", "under load")));
            long rolledBack = System.nanoTime();
            int before = answers.size();
            while (answers.size() < before + 30) {
                Thread.sleep(50);
            }
            running.set(false);
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));

            List<Answer> after = new ArrayList<>();
            List<Answer> straddling = new ArrayList<>();
            for (Answer a : answers) {
                assertEquals(200, a.status(), "every request is answered");
                if (a.sentAt() > rolledBack) {
                    after.add(a);
                } else if (a.answeredAt() > rollbackSent) {
                    straddling.add(a);
                }
            }
            long v2Before = answers.stream().filter(a -> a.sentAt() < rollbackSent
                    && a.version().equals(String.valueOf(v2))).count();
            System.out.printf("%d requests from %d clients: %d answered by v%d before the rollback, %d in flight "
                            + "during it (%d by v%d), %d sent after it, all by v%s%n", answers.size(), clients, v2Before,
                    v2, straddling.size(), straddling.stream().filter(a -> a.version().equals(String.valueOf(v2))).count(),
                    v2, after.size(), after.stream().map(Answer::version).distinct().toList());
            assertTrue(after.size() >= 20, "requests sent after the rollback: " + after.size());
            assertTrue(after.stream().allMatch(a -> a.version().equals(String.valueOf(served.version()))),
                    "after the rollback only v" + served.version() + " answers");
            assertEquals("ROLLED_BACK", api.state(served.adapter(), v2));
        }
    }
}

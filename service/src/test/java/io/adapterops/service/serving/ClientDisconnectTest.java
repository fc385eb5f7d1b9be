package io.adapterops.service.serving;

import io.adapterops.llm.InferenceEngine;
import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A client that hangs up, streaming or not, ends its generation: the row is logged as cancelled, short. */
class ClientDisconnectTest {
    private static final int MAX_TOKENS = 500;

    @Test
    void aClientThatHangsUpCancelsItsGenerationWhetherStreamingOrNot(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(TestDatabases.h2(dir))) {
            Api.Served served = new Api(server).servedRoute();
            String app = server.token(Api.unique("app"), "inference");
            int port = server.context().getBean(EmbeddedServer.class).getPort();
            Inference v1 = new Inference(server);
            InferenceEngine engine = server.context().getBean(BaseModelEngines.class).engine(Api.BASE).engine();

            for (boolean stream : new boolean[] {false, true}) {
                String user = Api.unique(stream ? "gone-streaming" : "gone-waiting");
                hangUpWhileGenerating(port, app, v1.chat(served.route(), MAX_TOKENS, user, stream), engine);
                String row = "inference_request WHERE user_id = '" + user + "'";
                for (int i = 0; i < 1200 && server.rows(row) == 0; i++) {
                    Thread.sleep(50);
                }
                long cancelled = server.rows(row + " AND outcome = 'cancelled' AND finish_reason = 'cancelled'"
                        + " AND completion_tokens < " + MAX_TOKENS);
                System.out.println((stream ? "streaming" : "non-streaming") + " client hung up: " + server.rows(row)
                        + " row(s), cancelled " + cancelled);
                assertEquals(1, cancelled, "the " + (stream ? "streaming" : "non-streaming")
                        + " request is logged as cancelled before its " + MAX_TOKENS + " tokens; its row(s) by finish"
                        + " reason: cancelled " + server.rows(row + " AND finish_reason = 'cancelled'") + ", stop "
                        + server.rows(row + " AND finish_reason = 'stop'") + ", length "
                        + server.rows(row + " AND finish_reason = 'length'"));
            }
            HttpResponseCheck.assertServes(v1, app, served.route());
        }
    }

    /** Sends the whole request, waits until the engine is generating it, then closes the socket at once. */
    private static void hangUpWhileGenerating(int port, String token, String body, InferenceEngine engine)
            throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long stepsBefore = engine.stats().steps();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            for (int i = 0; i < 30_000 && (engine.stats().running() == 0 || engine.stats().steps() == stepsBefore);
                 i++) {
                Thread.sleep(1);
            }
            if (engine.stats().running() == 0) {
                socket.setSoTimeout(2000);
                byte[] answer = new byte[2000];
                int n = socket.getInputStream().read(answer);
                fail("the request did not reach the engine (" + engine.stats() + "); the server sent: "
                        + (n <= 0 ? "nothing" : new String(answer, 0, n, StandardCharsets.UTF_8)));
            }
        }
    }

    /** The service keeps answering after the hang-ups. */
    private static final class HttpResponseCheck {
        static void assertServes(Inference v1, String token, String route) {
            var r = v1.post("/v1/chat/completions", token, v1.chat(route, 2, "after", false));
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"usage\""), r.body());
        }
    }
}

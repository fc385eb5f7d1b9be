package io.adapterops.service;

import io.adapterops.service.support.Api;
import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import io.adapterops.service.support.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded default keeps its state, audit log and tokens across a restart on the same data dir. */
class RestartTest {
    private static final Pattern TOKEN = Pattern.compile("aop_[A-Za-z0-9_-]{20,}");

    @Test
    void stateAuditAndTheFirstAdminTokenSurviveARestart(@TempDir Path dataDir) throws Exception {
        Map<String, Object> props = new java.util.HashMap<>(TestDatabases.h2(dataDir));
        props.put("adapterops.admin-token", "");

        String printed;
        String adapter;
        int version;
        List<Map<String, Object>> trail;
        String first = captureStdout(() -> {
            try (TestServer server = TestServer.start(props)) {
                assertEquals(401, server.get("/api/v1/adapters", null).status());
            }
        });
        Matcher m = TOKEN.matcher(first);
        assertTrue(m.find(), "first start prints an admin token: " + first);
        printed = m.group();
        assertFalse(TOKEN.matcher(first.substring(m.end())).find(), "the token is printed once");

        try (TestServer server = TestServer.start(props)) {
            Api api = new Api(server, printed);
            String route = api.route();
            adapter = api.adapter();
            version = api.firstChampion(adapter, route);
            trail = api.audit("adapter:" + adapter + ":v" + version);
            assertEquals(4, trail.size(), trail::toString);
        }

        String second = captureStdout(() -> {
            try (TestServer server = TestServer.start(props)) {
                Reply v = expect(200, server.get(Api.path(adapter, version), printed));
                assertEquals("CHAMPION", v.get("state"));
                assertEquals(trail, new Api(server, printed).audit("adapter:" + adapter + ":v" + version));
            }
        });
        assertFalse(TOKEN.matcher(second).find(), "a restart prints no new token");
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(printed),
                        "the secret is stored nowhere in clear: " + f);
            }
        }
    }

    private static String captureStdout(Runnable run) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(TOKEN.matcher(text).replaceAll("aop_<redacted>"));
        return text;
    }
}

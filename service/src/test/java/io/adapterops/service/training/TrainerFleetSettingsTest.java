package io.adapterops.service.training;

import io.adapterops.service.support.TestDatabases;
import io.adapterops.service.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A deployment trains one way: settings that ask for two, or for a fleet without PostgreSQL, stop the start-up. */
class TrainerFleetSettingsTest {

    @Test
    void aFleetOnTheEmbeddedH2DefaultIsRefusedWithTheReason(@TempDir Path dir) {
        Map<String, Object> props = TestDatabases.h2(dir);
        props.put("adapterops.fleet.enabled", "true");
        Throwable e = assertThrows(RuntimeException.class, () -> TestServer.start(props).close());
        assertTrue(causes(e).contains("adapterops.fleet.enabled needs PostgreSQL"), causes(e));
    }

    @Test
    void aFleetAndATrainerWorkerUrlTogetherAreRefused(@TempDir Path dir) throws Exception {
        TestDatabases.PgSchema pg = TestDatabases.postgres();
        try {
            Map<String, Object> props = pg.properties(dir);
            props.put("adapterops.fleet.enabled", "true");
            props.put("adapterops.trainer.url", "http://127.0.0.1:8091");
            Throwable e = assertThrows(RuntimeException.class, () -> TestServer.start(props).close());
            assertTrue(causes(e).contains("not both"), causes(e));
        } finally {
            TestDatabases.dropSchema(pg);
        }
    }

    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}

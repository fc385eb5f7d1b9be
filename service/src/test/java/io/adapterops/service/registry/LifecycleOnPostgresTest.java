package io.adapterops.service.registry;

import io.adapterops.service.support.TestDatabases;

import java.nio.file.Path;
import java.util.Map;

class LifecycleOnPostgresTest extends LifecycleScenarios {
    private TestDatabases.PgSchema pg;

    @Override
    Map<String, Object> database(Path dataDir) {
        pg = TestDatabases.postgres();
        return pg.properties(dataDir);
    }

    @Override
    void dropDatabase() throws Exception {
        if (pg != null) {
            TestDatabases.dropSchema(pg);
        }
    }
}

package io.adapterops.service.registry;

import io.adapterops.service.support.TestDatabases;

import java.nio.file.Path;
import java.util.Map;

class LifecycleOnH2Test extends LifecycleScenarios {
    @Override
    Map<String, Object> database(Path dataDir) {
        return TestDatabases.h2(dataDir);
    }

    @Override
    void dropDatabase() {
    }
}
